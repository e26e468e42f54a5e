package dev.zkscale.campaign;

import dev.zkscale.app.ZooKeeperProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;

/**
 * A ZooKeeper ensemble of three members, each a server process of its own ({@link ZooKeeperProcess#member}) on
 * loopback, that can be killed ({@code kill -9}) and started again one by one, on the same ports and data.
 */
final class Ensemble implements AutoCloseable {
    static final int SIZE = 3;

    private final Path dir;
    private final Duration tick;
    private final int[] clientPorts = new int[SIZE];
    private final List<String> servers = new ArrayList<>();
    private final ZooKeeperProcess[] members = new ZooKeeperProcess[SIZE];

    private Ensemble(Path dir, Duration tick) {
        this.dir = dir;
        this.tick = tick;
    }

    /** Starts three members and returns once the ensemble serves (a client connected), or fails after 60 s. */
    static Ensemble start(Path dir, Duration tick) throws IOException, InterruptedException {
        Ensemble ensemble = new Ensemble(dir, tick);
        for (int i = 0; i < SIZE; i++) {
            ensemble.clientPorts[i] = ZooKeeperProcess.freePort();
            ensemble.servers.add("server." + (i + 1) + "=127.0.0.1:" + ZooKeeperProcess.freePort() + ":"
                    + ZooKeeperProcess.freePort());
        }
        try {
            for (int i = 0; i < SIZE; i++) {
                ensemble.start(i);
            }
            ensemble.awaitServing(Duration.ofSeconds(60));
        } catch (IOException | RuntimeException | InterruptedException e) {
            ensemble.close();
            throw e;
        }
        return ensemble;
    }

    /** Starts member {@code i} (0-based) again, on its ports and data; returns at once. */
    void start(int i) throws IOException {
        Path memberDir = dir.resolve("zk-" + (i + 1));
        members[i] =
                ZooKeeperProcess.member(memberDir, memberDir.resolve("data"), i + 1, clientPorts[i], servers, tick);
    }

    /** {@code kill -9} of member {@code i}; returns once it has exited. */
    void kill(int i) throws InterruptedException {
        members[i].close();
    }

    /** The client port of member {@code i}. */
    int clientPort(int i) {
        return clientPorts[i];
    }

    /** All members, {@code 127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3}. */
    String connectString() {
        return IntStream.of(clientPorts).mapToObj(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
    }

    /** Waits until a client of the whole ensemble connects, or fails after {@code patience}. */
    void awaitServing(Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (System.nanoTime() < deadline) {
            try (CuratorFramework probe =
                    CuratorFrameworkFactory.newClient(connectString(), 5_000, 1_000, new RetryOneTime(100))) {
                probe.start();
                if (probe.blockUntilConnected(1, TimeUnit.SECONDS)) {
                    return;
                }
            }
        }
        throw new IllegalStateException("the ensemble did not serve within " + patience + "; see " + dir);
    }

    @Override
    public void close() throws InterruptedException {
        for (ZooKeeperProcess member : members) {
            if (member != null) {
                member.close();
            }
        }
    }
}
