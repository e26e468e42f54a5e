package dev.zkscale.bench;

import static dev.zkscale.kube.Fixtures.deployment;
import static dev.zkscale.kube.Fixtures.map;
import static dev.zkscale.kube.Fixtures.podMetrics;
import static dev.zkscale.kube.Fixtures.runningPod;

import dev.zkscale.coordination.ZooKeeperClients;
import dev.zkscale.kube.KubeCluster;
import dev.zkscale.kube.MockApi;
import dev.zkscale.monitor.PrometheusServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;

/**
 * The cost of zkscale's metrics with many managed targets: the size of {@code /q/metrics} (bytes, series) and the time
 * to scrape it, measured on the packaged application ({@code bin/zkscale run}) against a real ZooKeeper and a mock API
 * server holding the targets' Deployments, pods and PodMetrics, scraped by a real Prometheus (which reports its own
 * {@code scrape_duration_seconds}). Not a test: run it by hand (docs/benchmarks.md, "Measuring the metrics' cost"):
 *
 * <pre>
 * ./mvnw -B -q package -DskipTests
 * ./mvnw -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test.cp
 * java -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
 *     -cp target/test-classes:target/classes:$(cat target/test.cp) dev.zkscale.bench.MetricsCost 1000
 * </pre>
 *
 * Arguments: the number of targets (default 1000), spread over 10 namespaces, each a Deployment with one ready pod.
 */
public final class MetricsCost {
    private static final int NAMESPACES = 10;
    private static final int CLIENT_SCRAPES = 30;

    private MetricsCost() {}

    public static void main(String[] args) throws Exception {
        int targets = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        Path dir = Path.of("target", "metrics-cost");
        Files.createDirectories(dir);
        try (TestingServer zk = new TestingServer();
                MockApi api = MockApi.start()) {
            long t0 = System.nanoTime();
            KubernetesClient admin = api.newClient();
            String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
            ExecutorService creators = Executors.newFixedThreadPool(8);
            List<Future<?>> created = new ArrayList<>();
            for (int i = 0; i < targets; i++) {
                String ns = "ns-" + (i % NAMESPACES);
                String name = "app-" + i;
                Map<String, String> labels = Map.of("app", name);
                created.add(creators.submit(() -> {
                    // Each at its target (50% of a 500m request): steady, one decision per pass, no write
                    admin.apps()
                            .deployments()
                            .inNamespace(ns)
                            .resource(deployment(ns, name, 1, labels, Map.of()))
                            .create();
                    admin.pods()
                            .inNamespace(ns)
                            .resource(runningPod(ns, name + "-0", labels, "500m"))
                            .create();
                    admin.genericKubernetesResources(KubeCluster.POD_METRICS)
                            .inNamespace(ns)
                            .resource(podMetrics(ns, name + "-0", labels, now, "30s", map("app", "250m")))
                            .create();
                }));
            }
            for (Future<?> f : created) {
                f.get();
            }
            creators.shutdown();
            System.out.printf(
                    Locale.ROOT,
                    "created %d Deployments, pods and PodMetrics in %.1f s%n",
                    targets,
                    (System.nanoTime() - t0) / 1e9);

            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            ProcessBuilder pb = new ProcessBuilder("bin/zkscale", "run")
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("zkscale.log").toFile());
            pb.environment().put("ZKSCALE_ZOOKEEPER_CONNECT", zk.getConnectString());
            pb.environment().put("QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL", api.server.url("/"));
            pb.environment().put("QUARKUS_HTTP_PORT", "0");
            pb.environment().put("QUARKUS_MANAGEMENT_PORT", Integer.toString(port));
            pb.environment().put("ZKSCALE_SYNC_PERIOD", "5s");
            pb.environment().put("ZKSCALE_INSTANCE_ID", "bench");
            Process zkscale = pb.start();
            URI metrics = URI.create("http://127.0.0.1:" + port + "/q/metrics");
            HttpClient http = HttpClient.newHttpClient();
            try {
                await(zkscale, () -> get(http, metrics, null).contains("zkscale_leader 1.0"), "zkscale leads");
                Scrape base = measure(http, metrics, "no managed target");

                t0 = System.nanoTime();
                try (CuratorFramework curator =
                        ZooKeeperClients.start(zk.getConnectString(), Duration.ofSeconds(5), Duration.ofSeconds(5))) {
                    for (int i = 0; i < targets; i++) {
                        curator.create()
                                .creatingParentsIfNeeded()
                                .forPath(
                                        "/zkscale/targets/ns-" + (i % NAMESPACES) + "/app-" + i,
                                        "{\"maxReplicas\":10,\"targetCPUUtilizationPercentage\":50}"
                                                .getBytes(StandardCharsets.UTF_8));
                    }
                }
                await(
                        zkscale,
                        () -> count(get(http, metrics, null), "zkscale_target_desired_replicas{") == targets,
                        "every target decided");
                System.out.printf(
                        Locale.ROOT,
                        "%d targets decided %.1f s after their ZNodes were created%n",
                        targets,
                        (System.nanoTime() - t0) / 1e9);
                Scrape full = measure(http, metrics, targets + " managed targets");
                System.out.printf(
                        Locale.ROOT,
                        "per target: %.0f bytes, %.1f series%n",
                        (full.bytes() - base.bytes()) / (double) targets,
                        (full.series() - base.series()) / (double) targets);

                try (PrometheusServer prometheus = PrometheusServer.start(
                        Files.createTempDirectory("prometheus"), "127.0.0.1:" + port, "/q/metrics", List.of())) {
                    prometheus.awaitUp();
                    Thread.sleep(20_000); // about 20 scrapes at Prometheus' 1 s interval
                    System.out.printf(
                            Locale.ROOT,
                            "Prometheus: %.0f samples per scrape, scrape_duration_seconds "
                                    + "avg %.3f s, max %.3f s over the last 20 s%n",
                            prometheus.value("scrape_samples_scraped"),
                            prometheus.value("avg_over_time(scrape_duration_seconds[20s])"),
                            prometheus.value("max_over_time(scrape_duration_seconds[20s])"));
                    System.out.printf(
                            Locale.ROOT,
                            "pass duration (all targets): avg %.3f s%n",
                            prometheus.value(
                                    "zkscale_decision_duration_seconds_sum / zkscale_decision_duration_seconds_count"));
                }
            } finally {
                zkscale.destroy();
                if (!zkscale.waitFor(30, TimeUnit.SECONDS)) {
                    zkscale.destroyForcibly();
                }
            }
        }
    }

    /** A measured scrape: the body's size, its series (sample lines), and client-side times. */
    private record Scrape(int bytes, int series) {}

    /** Scrapes {@value #CLIENT_SCRAPES} times as Prometheus asks (OpenMetrics) and prints size and latency. */
    private static Scrape measure(HttpClient http, URI metrics, String what) throws Exception {
        String accept = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
        for (int i = 0; i < 5; i++) {
            get(http, metrics, accept); // warm-up
        }
        List<Double> millis = new ArrayList<>();
        String body = null;
        for (int i = 0; i < CLIENT_SCRAPES; i++) {
            long t = System.nanoTime();
            body = get(http, metrics, accept);
            millis.add((System.nanoTime() - t) / 1e6);
        }
        Collections.sort(millis);
        int bytes = body.getBytes(StandardCharsets.UTF_8).length;
        int series = (int)
                body.lines().filter(l -> !l.isEmpty() && !l.startsWith("#")).count();
        int zkscale = (int) body.lines().filter(l -> l.startsWith("zkscale_")).count();
        System.out.printf(
                Locale.ROOT,
                "%s: /q/metrics %d bytes (%.1f KiB), %d series (%d zkscale_*); "
                        + "scrape time median %.1f ms, p90 %.1f ms, max %.1f ms (%d scrapes)%n",
                what,
                bytes,
                bytes / 1024.0,
                series,
                zkscale,
                millis.get(millis.size() / 2),
                millis.get((int) (millis.size() * 0.9)),
                millis.get(millis.size() - 1),
                CLIENT_SCRAPES);
        return new Scrape(bytes, series);
    }

    private static String get(HttpClient http, URI uri, String accept) throws IOException, InterruptedException {
        HttpRequest.Builder r = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
        if (accept != null) {
            r.header("Accept", accept);
        }
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static int count(String text, String prefix) {
        return (int) text.lines().filter(l -> l.startsWith(prefix)).count();
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    /** Polls until the check holds (at most 5 minutes); fails if zkscale exits. */
    private static void await(Process zkscale, Check check, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < deadline) {
            if (!zkscale.isAlive()) {
                throw new IllegalStateException(
                        "zkscale exited with " + zkscale.exitValue() + "; see target/metrics-cost/zkscale.log");
            }
            try {
                if (check.holds()) {
                    return;
                }
            } catch (IOException e) {
                // not serving yet
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("timed out waiting until " + what);
    }
}
