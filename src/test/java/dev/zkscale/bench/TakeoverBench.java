package dev.zkscale.bench;

import dev.zkscale.app.Controller;
import dev.zkscale.app.TestSettings;
import dev.zkscale.kube.BulkLoad;
import dev.zkscale.kube.Fixtures;
import dev.zkscale.kube.KubeCluster;
import dev.zkscale.kube.MockApi;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.test.TestingServer;

/**
 * Takeover time of a new leader, measured, not asserted (not a test; run by hand): from the moment the standby's latch
 * is won and its epoch taken, to its first decision, and to the stamps of its epoch on every target (the fence; no
 * target is written here, and the stamps go out once the first pass has decided every target). Two
 * controllers ({@link Controller}, all real parts) in this JVM against a ZooKeeper server ({@code TestingServer}) and a
 * mock API server in CRUD mode, both also in this JVM; N Deployments of one pod each at their right size (no target
 * scales), all carrying the old leader's epoch.
 *
 * <p>The targets carry epoch 1 (as if an older leader had stamped them) and the old leader, which never runs a pass
 * here, is closed; the standby's pass is started as soon as it has its epoch (in production the next scheduled pass
 * starts within a sync period) and watched until its first decision and its last stamp. Stamps go out at the rate limit
 * {@code zkscale.fence-rate}; the mock API server scans its whole store on every request, so its own cost grows with N
 * (a real API server indexes by name).
 *
 * <pre>
 * ./mvnw -B -q test-compile
 * ./mvnw -B -q org.codehaus.mojo:exec-maven-plugin:3.6.4:exec -Dexec.executable=java -Dexec.classpathScope=test \
 *     -Dexec.args="-Djava.util.logging.manager=org.jboss.logmanager.LogManager -cp %classpath \
 *     dev.zkscale.bench.TakeoverBench --targets 1000,10000"
 * </pre>
 *
 * Options: {@code --targets N,N} (1000,10000), {@code --rate R} (stamps per second; the default of
 * {@code zkscale.fence-rate}).
 */
public final class TakeoverBench {
    private static final String NS = "shop";
    private static final Duration PATIENCE = Duration.ofMinutes(10);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(3);

    private TakeoverBench() {}

    private record Takeover(int targets, long epochMillis, long fencedMillis, long decidedMillis) {}

    public static void main(String[] args) throws Exception {
        List<Integer> sizes = List.of(1000, 10000);
        double rate = KubeCluster.DEFAULT_STAMPS_PER_SECOND;
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--targets" ->
                    sizes = List.of(args[i + 1].split(",")).stream()
                            .map(Integer::valueOf)
                            .toList();
                case "--rate" -> rate = Double.parseDouble(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        List<Takeover> results = new ArrayList<>();
        for (int n : sizes) {
            Takeover t = takeover(n, rate);
            results.add(t);
            System.out.printf(
                    "[takeover] %d targets: epoch %d ms after the old leader closed; fenced %d ms and first decision %d"
                            + " ms after the epoch%n",
                    n, t.epochMillis(), t.fencedMillis(), t.decidedMillis());
        }
        System.out.printf("%ntakeover, fence rate %.0f stamps/s (ms)%n", rate);
        System.out.printf(
                "%-8s %-22s %-24s %-26s%n",
                "targets", "close -> epoch", "epoch -> all fenced", "epoch -> first decision");
        for (Takeover t : results) {
            System.out.printf(
                    "%-8d %-22d %-24d %-26d%n", t.targets(), t.epochMillis(), t.fencedMillis(), t.decidedMillis());
        }
    }

    private static Takeover takeover(int targets, double rate) throws Exception {
        try (TestingServer zk = new TestingServer();
                MockApi api = MockApi.start();
                CuratorFramework admin = CuratorFrameworkFactory.newClient(
                        zk.getConnectString(), 30_000, 5_000, new ExponentialBackoffRetry(100, 3))) {
            admin.start();
            seed(api, targets);
            byte[] config = "{\"minReplicas\": 1, \"maxReplicas\": 10, \"targetCPUUtilizationPercentage\": 50}"
                    .getBytes(StandardCharsets.UTF_8);
            for (int t = 0; t < targets; t++) {
                admin.create().creatingParentsIfNeeded().forPath("/zkscale/targets/" + NS + "/" + name(t), config);
            }
            // The defaults' 10 s session and 3 s request timeout: the mock, scanning its store on every request, can
            // take more than a second per request under load.
            Map<String, String> settings = Map.of(
                    "zkscale.fence-rate",
                    Double.toString(rate),
                    "zkscale.cache-sync-timeout",
                    "300s",
                    "zkscale.zookeeper.session-timeout",
                    "10s");
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            Controller old = Controller.start(
                    TestSettings.of(zk.getConnectString(), "old", settings),
                    client(api),
                    new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                    Clock.systemUTC());
            await("the old leader leads", () -> old.leadership().epoch().isPresent());
            try (Controller standby = Controller.start(
                    TestSettings.of(zk.getConnectString(), "new", settings),
                    client(api),
                    registry,
                    Clock.systemUTC())) {
                await("the standby sees every target", () -> loaded(standby, targets));

                long closing = System.nanoTime();
                old.close();
                await("the standby leads", () -> standby.leadership().epoch().isPresent());
                long epoch = System.nanoTime();
                Thread pass = new Thread(standby.loop()::pass, "standby-pass");
                pass.setDaemon(true);
                pass.start();
                long fenced = 0;
                long decided = 0;
                long deadline = epoch + PATIENCE.toNanos();
                boolean passing = true;
                while ((decided == 0 || fenced == 0) && System.nanoTime() < deadline && passing) {
                    passing = pass.isAlive(); // one more look once the pass has ended
                    long now = System.nanoTime();
                    if (fenced == 0 && stamps(registry) >= targets) {
                        fenced = now;
                    }
                    if (decided == 0 && !standby.record().targets().isEmpty()) {
                        decided = now;
                    }
                    LockSupport.parkNanos(200_000);
                }
                if (fenced == 0 || decided == 0) {
                    throw new IllegalStateException("only " + stamps(registry) + " of " + targets + " stamped, or no"
                            + " decision; the standby's metrics:\n" + registry.scrape());
                }
                return new Takeover(
                        targets,
                        TimeUnit.NANOSECONDS.toMillis(epoch - closing),
                        TimeUnit.NANOSECONDS.toMillis(fenced - epoch),
                        TimeUnit.NANOSECONDS.toMillis(decided - epoch));
            } finally {
                old.close();
            }
        }
    }

    private static KubernetesClient client(MockApi api) {
        return api.server.createClient(b -> b.editOrNewConfig()
                .withRequestTimeout((int) REQUEST_TIMEOUT.toMillis())
                .endConfig());
    }

    /** Successful stamps the standby counted. */
    private static double stamps(PrometheusMeterRegistry registry) {
        Counter success =
                registry.find("zkscale.fence.stamps").tag("result", "success").counter();
        return success == null ? 0 : success.count();
    }

    private static boolean loaded(Controller c, int targets) {
        try {
            return c.tuning().targets().size() == targets;
        } catch (RuntimeException | dev.zkscale.loop.TuningSource.TuningUnavailableException e) {
            return false;
        }
    }

    /**
     * One Deployment of one pod per target, carrying epoch 1, using half its request against a 50% target: no target
     * scales.
     */
    private static void seed(MockApi api, int targets) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        for (int t = 0; t < targets; t++) {
            String name = name(t);
            Map<String, String> labels = Map.of("app", name);
            BulkLoad.put(
                    api,
                    "deployments",
                    Fixtures.deployment(NS, name, 1, labels, Map.of(KubeCluster.EPOCH_ANNOTATION, "1")));
            BulkLoad.put(api, "pods", Fixtures.runningPod(NS, name + "-0", labels, "500m"));
            BulkLoad.put(api, "pods", Fixtures.podMetrics(NS, name + "-0", labels, now, "30s", Map.of("app", "250m")));
        }
    }

    private static String name(int target) {
        return String.format("t%05d", target);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for: " + what);
            }
            Thread.sleep(5);
        }
    }
}
