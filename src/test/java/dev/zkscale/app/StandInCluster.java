package dev.zkscale.app;

import dev.zkscale.kube.MockApi;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.apache.curator.test.TestingServer;

/**
 * A stand-in for the cluster around a zkscale instance that runs outside the test JVM (the container image check,
 * {@code src/main/docker/verify-image.sh}): a real ZooKeeper server and a CRUD mock Kubernetes API on loopback, holding
 * one target that a working controller scales from 2 pods to 4 ({@link Shop#busyWeb}).
 *
 * <p>Usage: {@code StandInCluster ENV_FILE}. Writes the settings that point zkscale at it to ENV_FILE as
 * {@code NAME=value} lines, then serves until its standard input closes.
 */
public final class StandInCluster {
    private StandInCluster() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: StandInCluster ENV_FILE");
            System.exit(2);
        }
        try (TestingServer zk = new TestingServer();
                MockApi api = MockApi.start()) {
            Shop.busyWeb(api.newClient(), zk.getConnectString(), Instant.now().toString());
            String url = api.server.url("/");
            Files.writeString(
                    Path.of(args[0]),
                    String.join(
                            "\n",
                            "ZKSCALE_ZOOKEEPER_CONNECT=" + zk.getConnectString(),
                            "QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL=" + url.substring(0, url.length() - 1),
                            ""));
            System.out.println("stand-in cluster: ZooKeeper " + zk.getConnectString() + ", Kubernetes API " + url);
            while (System.in.read() >= 0) {
                // serve until the caller closes our standard input
            }
        }
    }
}
