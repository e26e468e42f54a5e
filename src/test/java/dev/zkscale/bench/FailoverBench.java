package dev.zkscale.bench;

import dev.zkscale.app.ZkscaleProcess;
import dev.zkscale.app.ZooKeeperProcess;
import dev.zkscale.kube.Fixtures;
import dev.zkscale.kube.MockApi;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;

/**
 * Failover time of two {@code zkscale run} processes, measured, not asserted (not a test; run by hand): from the
 * moment the leader is stopped ({@code SIGTERM}) or killed ({@code kill -9}) to the moment the standby reports a new,
 * greater epoch on {@code /q/metrics}, and to the moment the deployment carries that epoch (its first scale write).
 *
 * <p>Set-up as in {@code FailoverIT}: a ZooKeeper server process (tick 2 s, ZooKeeper's default, unless
 * {@code --tick-ms}), a mock API server in this JVM, sync period 1 s. Needs the packaged jar:
 *
 * <pre>
 * ./mvnw -B package -DskipTests
 * ./mvnw -B -q org.codehaus.mojo:exec-maven-plugin:3.6.4:exec -Dexec.executable=java -Dexec.classpathScope=test \
 *     -Dexec.args="-Djava.util.logging.manager=org.jboss.logmanager.LogManager -cp %classpath \
 *     dev.zkscale.bench.FailoverBench --trials 3 --sessions 3,10"
 * </pre>
 *
 * Options: {@code --trials N} (3), {@code --sessions S,S} (seconds; 3,10), {@code --modes term,kill} (both),
 * {@code --tick-ms T} (2000), {@code --java-opts "..."} (the controllers' JVM options; default "-Xmx256m").
 */
public final class FailoverBench {
    private static final Path OUT = Path.of("target", "failover-bench");
    private static final String NS = "shop";
    private static final String NAME = "web";
    private static final Map<String, String> WEB = Map.of("app", "web");
    private static final Duration PATIENCE = Duration.ofSeconds(90);

    private FailoverBench() {}

    private record Trial(String mode, int sessionSeconds, int trial, long leadMillis, long scaledMillis) {}

    public static void main(String[] args) throws Exception {
        int trials = 3;
        List<Integer> sessions = List.of(3, 10);
        List<String> modes = List.of("term", "kill");
        long tick = 2000;
        String javaOpts = "-Xmx256m";
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--trials" -> trials = Integer.parseInt(args[i + 1]);
                case "--sessions" ->
                    sessions = List.of(args[i + 1].split(",")).stream()
                            .map(Integer::valueOf)
                            .toList();
                case "--modes" -> modes = List.of(args[i + 1].split(","));
                case "--tick-ms" -> tick = Long.parseLong(args[i + 1]);
                case "--java-opts" -> javaOpts = args[i + 1];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        System.setProperty("zkscale.it.java-opts", javaOpts);
        List<Trial> results = new ArrayList<>();
        try (ZooKeeperProcess zookeeper = ZooKeeperProcess.start(OUT, Duration.ofSeconds(30), Duration.ofMillis(tick));
                CuratorFramework zk = CuratorFrameworkFactory.newClient(
                        zookeeper.connectString(), 30_000, 5_000, new ExponentialBackoffRetry(100, 3))) {
            zk.start();
            if (!zk.blockUntilConnected(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("ZooKeeper is not serving");
            }
            int run = 0;
            for (int session : sessions) {
                for (String mode : modes) {
                    for (int t = 1; t <= trials; t++) {
                        Trial r = trial(zookeeper, zk, ++run, mode, session, t);
                        results.add(r);
                        System.out.printf(
                                "[trial] %s session=%ds #%d: standby leads after %d ms, scaled after %d ms%n",
                                mode, session, t, r.leadMillis(), r.scaledMillis());
                    }
                }
            }
        }
        System.out.printf(
                "%nfailover, ZooKeeper tick %d ms, sync period 1 s, %d trials each (ms: min / median / max)%n",
                tick, trials);
        System.out.printf("%-6s %-8s %-24s %-24s%n", "stop", "session", "standby leads", "standby has scaled");
        for (int session : sessions) {
            for (String mode : modes) {
                List<Trial> these = results.stream()
                        .filter(r -> r.mode().equals(mode) && r.sessionSeconds() == session)
                        .toList();
                System.out.printf(
                        "%-6s %-8s %-24s %-24s%n",
                        mode,
                        session + " s",
                        summary(these.stream().map(Trial::leadMillis).toList()),
                        summary(these.stream().map(Trial::scaledMillis).toList()));
            }
        }
    }

    private static String summary(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(0) + " / " + sorted.get(sorted.size() / 2) + " / " + sorted.get(sorted.size() - 1);
    }

    private static Trial trial(
            ZooKeeperProcess zookeeper, CuratorFramework zk, int run, String mode, int session, int trial)
            throws Exception {
        String root = "/bench-" + run;
        Path logs = OUT.resolve(mode + "-" + session + "s-" + trial);
        try (MockApi api = MockApi.start()) {
            KubernetesClient admin = api.newClient();
            Fixtures.createWorkload(admin, NS, NAME, WEB, 2, 2, "500m");
            load(admin, "600m");
            zk.create()
                    .creatingParentsIfNeeded()
                    .forPath(
                            root + "/targets/" + NS + "/" + NAME,
                            "{\"maxReplicas\": 10}".getBytes(StandardCharsets.UTF_8));
            Map<String, String> settings = Map.of(
                    "zkscale.zookeeper.connect",
                    zookeeper.connectString(),
                    "zkscale.zookeeper.root",
                    root,
                    "zkscale.zookeeper.session-timeout",
                    session + "s",
                    "zkscale.sync-period",
                    "1s",
                    "quarkus.kubernetes-client.api-server-url",
                    api.server.url("/"),
                    "quarkus.kubernetes-client.request-timeout",
                    "1s");
            try (ZkscaleProcess a = ZkscaleProcess.start("a", logs, settings);
                    ZkscaleProcess b = ZkscaleProcess.start("b", logs, settings)) {
                await("one leader and web at 3", () -> {
                    long ea = a.epoch();
                    long eb = b.epoch();
                    return ea >= 0 && eb >= 0 && (ea == 0) != (eb == 0) && annotated(admin, 3, Math.max(ea, eb));
                });
                ZkscaleProcess leader = a.epoch() > 0 ? a : b;
                ZkscaleProcess standby = leader == a ? b : a;
                long first = leader.epoch();

                long t0 = System.nanoTime();
                if (mode.equals("kill")) {
                    leader.kill();
                } else {
                    leader.stop();
                }
                load(admin, "1000m");
                long lead = -1;
                long scaled = -1;
                long deadline = t0 + PATIENCE.toNanos();
                while ((lead < 0 || scaled < 0) && System.nanoTime() < deadline) {
                    if (lead < 0 && standby.epoch() > first) {
                        lead = System.nanoTime();
                    }
                    if (scaled < 0 && annotatedAbove(admin, 5, first)) {
                        scaled = System.nanoTime();
                    }
                    Thread.sleep(10);
                }
                leader.awaitExit();
                if (lead < 0 || scaled < 0) {
                    throw new IllegalStateException("no failover within " + PATIENCE + " (" + mode + ", session "
                            + session + " s); see " + logs);
                }
                return new Trial(
                        mode,
                        session,
                        trial,
                        TimeUnit.NANOSECONDS.toMillis(lead - t0),
                        TimeUnit.NANOSECONDS.toMillis(scaled - t0));
            }
        }
    }

    private static boolean annotated(KubernetesClient admin, int replicas, long epoch) {
        Deployment d = admin.apps().deployments().inNamespace(NS).withName(NAME).get();
        Map<String, String> annotations = d.getMetadata().getAnnotations();
        return d.getSpec().getReplicas() == replicas
                && annotations != null
                && Long.toString(epoch).equals(annotations.get("zkscale.dev/leader-epoch"));
    }

    private static boolean annotatedAbove(KubernetesClient admin, int replicas, long epoch) {
        Deployment d = admin.apps().deployments().inNamespace(NS).withName(NAME).get();
        Map<String, String> annotations = d.getMetadata().getAnnotations();
        String written = annotations == null ? null : annotations.get("zkscale.dev/leader-epoch");
        return d.getSpec().getReplicas() == replicas && written != null && Long.parseLong(written) > epoch;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for: " + what);
            }
            Thread.sleep(20);
        }
    }

    private static void load(KubernetesClient admin, String cpu) {
        Fixtures.publishUsage(admin, NS, NAME, WEB, 2, cpu);
    }
}
