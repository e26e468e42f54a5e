package dev.zkscale.app;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;

/**
 * A standalone ZooKeeper server in its own JVM ({@code ZooKeeperServerMain} on the test class path), on loopback and a
 * free port, with its data in a fresh directory. Its output goes to {@code zookeeper.log} in the directory given.
 *
 * <p>Session timeouts from 1 s to 60 s are accepted as asked (the server's defaults, 2 and 20 ticks of 2 s, would turn
 * a 3 s session into 4 s), so that a client's {@code sessionTimeout} is the one it gets. The server checks for expired
 * sessions once a tick, so a dead client's session ends between the timeout and the timeout plus one tick: 500 ms by
 * default here, 2 s (ZooKeeper's default) where production-like numbers are wanted.
 */
public final class ZooKeeperProcess implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path log;

    private ZooKeeperProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts a server with a tick of 500 ms; see {@link #start(Path, Duration, Duration)}. */
    public static ZooKeeperProcess start(Path dir, Duration patience) throws IOException, InterruptedException {
        return start(dir, patience, Duration.ofMillis(500));
    }

    /** Starts the server and returns once a client has connected to it; fails (stopping it) after {@code patience}. */
    public static ZooKeeperProcess start(Path dir, Duration patience, Duration tick)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path data = Files.createTempDirectory(dir, "zk-data-");
        int port = freePort();
        ZooKeeperProcess zk = launch(dir, port, config(tick, data, port));
        try {
            zk.awaitServing(patience);
        } catch (RuntimeException | InterruptedException e) {
            zk.close();
            throw e;
        }
        return zk;
    }

    /**
     * Starts one member of an ensemble and returns at once (a member serves only once a quorum has formed): its data
     * in {@code data} (kept across restarts, with its {@code myid}), its client port {@code port}, and the ensemble's
     * {@code server.N=...} lines. Its output goes to {@code zookeeper.log} in {@code dir}.
     */
    public static ZooKeeperProcess member(Path dir, Path data, int myid, int port, List<String> servers, Duration tick)
            throws IOException {
        Files.createDirectories(dir);
        Files.createDirectories(data);
        Files.writeString(data.resolve("myid"), Integer.toString(myid));
        List<String> lines = new ArrayList<>(config(tick, data, port));
        lines.addAll(List.of("initLimit=10", "syncLimit=5"));
        lines.addAll(servers);
        return launch(dir, port, lines);
    }

    private static List<String> config(Duration tick, Path data, int port) {
        return List.of(
                "tickTime=" + tick.toMillis(),
                "minSessionTimeout=1000",
                "maxSessionTimeout=60000",
                "dataDir=" + data,
                "clientPort=" + port,
                "clientPortAddress=127.0.0.1",
                "admin.enableServer=false",
                "4lw.commands.whitelist=ruok,srvr");
    }

    private static ZooKeeperProcess launch(Path dir, int port, List<String> configLines) throws IOException {
        Path config = dir.resolve("zoo.cfg");
        Files.writeString(config, String.join("\n", configLines) + "\n");
        Path log = dir.resolve("zookeeper.log");
        Process process = new ProcessBuilder(List.of(
                        java(),
                        "-Xmx128m",
                        "-Djava.util.logging.manager=org.jboss.logmanager.LogManager",
                        // WARN and above only, as in the tests' own JVM (application.properties, %test).
                        "-Dlogging.initial-configurator.min-level=WARNING",
                        "-cp",
                        System.getProperty("java.class.path"),
                        "org.apache.zookeeper.server.quorum.QuorumPeerMain",
                        config.toString()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        process.getOutputStream().close();
        return new ZooKeeperProcess(process, port, log);
    }

    /** Waits until a client connects (a session is established), or the process dies, or {@code patience} ends. */
    private void awaitServing(Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "ZooKeeper exited with " + process.exitValue() + "; see " + log + ":\n" + tail(log, 20));
            }
            try (CuratorFramework probe =
                    CuratorFrameworkFactory.newClient(connectString(), 5_000, 500, new RetryOneTime(100))) {
                probe.start();
                if (probe.blockUntilConnected(500, TimeUnit.MILLISECONDS)) {
                    return;
                }
            }
        }
        throw new IllegalStateException(
                "ZooKeeper did not serve within " + patience + "; see " + log + ":\n" + tail(log, 20));
    }

    public String connectString() {
        return "127.0.0.1:" + port;
    }

    public Process process() {
        return process;
    }

    /**
     * How many packets the server has received since it started (the {@code Received} line of the {@code srvr}
     * four-letter command): requests of every client, pings included. For counting what a piece of code sends.
     */
    public long received() throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write("srvr".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            Matcher m = Pattern.compile("Received: (\\d+)").matcher(answer);
            if (!m.find()) {
                throw new IOException("no Received line in the answer to srvr: " + answer);
            }
            return Long.parseLong(m.group(1));
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** A free TCP port on loopback (free when asked; nothing holds it after). */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    /** The {@code java} of the JVM running the tests, so that every process runs on the same Java. */
    public static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The last {@code lines} lines of a log file, for failure messages. */
    public static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }
}
