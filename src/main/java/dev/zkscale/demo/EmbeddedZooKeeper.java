package dev.zkscale.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.zookeeper.server.DataTree;
import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZooKeeperServer;
import org.apache.zookeeper.util.ServiceUtils;

/**
 * A real standalone ZooKeeper server (ZooKeeper's own server classes) in this process (the demo's, and tests'), on a
 * free loopback port, with its data in a temporary directory that {@link #close()} removes. Its tick is short so that
 * sessions of a second or two are allowed (ZooKeeper grants 2 to 20 ticks).
 */
public final class EmbeddedZooKeeper implements AutoCloseable {
    static final int TICK_MILLIS = 250;

    private final Path dataDir;
    private final ZooKeeperServer server;
    private final ServerCnxnFactory connections;

    private EmbeddedZooKeeper(Path dataDir, ZooKeeperServer server, ServerCnxnFactory connections) {
        this.dataDir = dataDir;
        this.server = server;
        this.connections = connections;
    }

    /** Starts a server; {@link #close()} stops it and removes its data. */
    public static EmbeddedZooKeeper start() throws IOException, InterruptedException {
        // A failing server thread must not end the process (ZooKeeper's default): the demo reports and cleans up.
        ServiceUtils.setSystemExitProcedure(ServiceUtils.LOG_ONLY);
        Path dir = Files.createTempDirectory("zkscale-demo-zookeeper-");
        try {
            ZooKeeperServer server = new ZooKeeperServer(dir.toFile(), dir.toFile(), TICK_MILLIS);
            ServerCnxnFactory connections =
                    ServerCnxnFactory.createFactory(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
            connections.startup(server);
            return new EmbeddedZooKeeper(dir, server, connections);
        } catch (IOException | InterruptedException | RuntimeException e) {
            delete(dir);
            throw e;
        }
    }

    /** Where clients connect: {@code 127.0.0.1:PORT}. */
    public String connectString() {
        return InetAddress.getLoopbackAddress().getHostAddress() + ":" + connections.getLocalPort();
    }

    /** The port the server listens on, on loopback. */
    public int port() {
        return connections.getLocalPort();
    }

    /** The temporary directory holding its data. */
    public Path dataDir() {
        return dataDir;
    }

    /**
     * The server's in-memory tree: a test reaches it to move a ZNode's 32-bit counters (data version, child version)
     * close to their wrap without two billion writes; every write that follows is ZooKeeper's own.
     */
    public DataTree dataTree() {
        return server.getZKDatabase().getDataTree();
    }

    @Override
    public void close() {
        try {
            connections.shutdown();
            server.shutdown();
        } finally {
            delete(dataDir);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            System.err.println("zkscale demo: could not remove " + dir + ": " + e.getMessage());
        }
    }
}
