package dev.zkscale.coordination;

import java.io.File;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.zookeeper.server.DataNode;
import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZooKeeperServer;

/**
 * A real standalone ZooKeeper server in the test JVM whose in-memory tree the test can reach, to move a ZNode's 32-bit
 * counters (data version, child version) close to their wrap without two billion writes. Only the counters are set;
 * every write that follows is ZooKeeper's own, so the wrap itself is ZooKeeper's.
 */
final class EmbeddedZooKeeper implements AutoCloseable {
    private final Path dir;
    private final ZooKeeperServer server;
    private final ServerCnxnFactory factory;

    EmbeddedZooKeeper() throws Exception {
        dir = Files.createTempDirectory("zkscale-zk");
        File data = dir.toFile();
        server = new ZooKeeperServer(data, data, 2000);
        factory = ServerCnxnFactory.createFactory(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
        factory.startup(server);
    }

    String connectString() {
        return "127.0.0.1:" + factory.getLocalPort();
    }

    /** Sets the data version of the ZNode at {@code path}: its next write makes it {@code version + 1}. */
    void setVersion(String path, int version) {
        node(path).stat.setVersion(version);
    }

    /** Sets the child version of {@code path}: its next sequential child is numbered {@code cversion}. */
    void setCversion(String path, int cversion) {
        node(path).stat.setCversion(cversion);
    }

    private DataNode node(String path) {
        DataNode node = server.getZKDatabase().getDataTree().getNode(path);
        if (node == null) {
            throw new IllegalArgumentException("no ZNode " + path);
        }
        return node;
    }

    @Override
    public void close() throws Exception {
        factory.shutdown();
        server.shutdown();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
