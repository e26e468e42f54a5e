package dev.zkscale.bench;

import dev.zkscale.app.ZkscaleProcess;
import dev.zkscale.coordination.ZooKeeperClients;
import dev.zkscale.kube.BulkLoad;
import dev.zkscale.kube.Fixtures;
import dev.zkscale.kube.MockApi;
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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;

/**
 * Concurrent downloads of a large decision record from a real {@code zkscale run} process, measured, not asserted (not
 * a test; run by hand): one target of 1,000 pods, decided every {@code --sync} until its record holds
 * {@code --depth} decisions, then {@code --clients} GETs of its whole record at once. Prints the process's resident
 * set size (VmRSS) before, at its highest during and after the downloads, each response's status and size, and
 * whether the process survived. The process runs with the launcher's own JVM settings ({@code bin/zkscale run}: the
 * serial collector and a 256 MiB heap) unless {@code --java-opts} says otherwise.
 *
 * <pre>
 * ./mvnw -B package -DskipTests
 * ./mvnw -B -q org.codehaus.mojo:exec-maven-plugin:3.6.4:exec -Dexec.executable=java -Dexec.classpathScope=test \
 *     -Dexec.args="-cp %classpath dev.zkscale.bench.RecordDownloadBench --max-concurrent 8"
 * </pre>
 *
 * Options: {@code --pods N} (1000), {@code --depth N} (100, the default of {@code zkscale.decision-record-depth}),
 * {@code --clients N} (8), {@code --sync D} (500ms), {@code --max-concurrent N} (the process's
 * {@code zkscale.api.max-concurrent-requests}; its default when absent), {@code --max-response-bytes N} (likewise),
 * {@code --java-opts "..."} (none: the launcher's).
 */
public final class RecordDownloadBench {
    private static final Path OUT = Path.of("target", "record-download-bench");

    private RecordDownloadBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new java.util.HashMap<>(
                Map.of("--pods", "1000", "--depth", "100", "--clients", "8", "--sync", "500ms", "--java-opts", ""));
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i], args[i + 1]);
        }
        int pods = Integer.parseInt(o.get("--pods"));
        int depth = Integer.parseInt(o.get("--depth"));
        int clients = Integer.parseInt(o.get("--clients"));
        System.setProperty("zkscale.it.java-opts", o.get("--java-opts"));
        Files.createDirectories(OUT);

        try (TestingServer zk = new TestingServer();
                MockApi api = MockApi.start()) {
            String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
            Map<String, String> labels = Map.of("app", "big");
            BulkLoad.put(api, "deployments", Fixtures.deployment("shop", "big", pods, labels, null));
            for (int p = 0; p < pods; p++) {
                BulkLoad.put(api, "pods", Fixtures.runningPod("shop", "big-" + p, labels, "500m"));
                BulkLoad.put(
                        api,
                        "pods",
                        Fixtures.podMetrics(
                                "shop", "big-" + p, labels, now, "30s", Map.of("app", (225 + p % 50) + "m")));
            }
            try (CuratorFramework curator =
                    ZooKeeperClients.start(zk.getConnectString(), Duration.ofSeconds(10), Duration.ofSeconds(5))) {
                curator.create()
                        .creatingParentsIfNeeded()
                        .forPath(
                                "/zkscale/targets/shop/big",
                                ("{\"maxReplicas\": " + 2 * pods + ", \"targetCPUUtilizationPercentage\": 50}")
                                        .getBytes(StandardCharsets.UTF_8));
            }
            Map<String, String> settings = new java.util.LinkedHashMap<>(Map.of(
                    "zkscale.zookeeper.connect", zk.getConnectString(),
                    "quarkus.kubernetes-client.api-server-url", api.server.url("/"),
                    "quarkus.kubernetes-client.request-timeout", "30s",
                    "zkscale.sync-period", o.get("--sync"),
                    "zkscale.decision-record-depth", Integer.toString(depth)));
            if (o.containsKey("--max-concurrent")) {
                settings.put("zkscale.api.max-concurrent-requests", o.get("--max-concurrent"));
            }
            if (o.containsKey("--max-response-bytes")) {
                settings.put("zkscale.api.max-response-bytes", o.get("--max-response-bytes"));
            }
            try (ZkscaleProcess p = ZkscaleProcess.start("record-bench", OUT, settings)) {
                run(p, depth, clients, settings);
            }
        }
    }

    private static void run(ZkscaleProcess p, int depth, int clients, Map<String, String> settings) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        URI targets = p.management().resolve("/api/v1/targets");
        URI decisions = p.management().resolve("/api/v1/targets/shop/big/decisions");
        long start = System.nanoTime();
        int recorded = 0;
        while (recorded < depth) {
            if (!p.alive()) {
                throw new IllegalStateException("zkscale exited; see " + p.log());
            }
            Thread.sleep(1000);
            try {
                String body = http.send(HttpRequest.newBuilder(targets).build(), HttpResponse.BodyHandlers.ofString())
                        .body();
                java.util.regex.Matcher m =
                        java.util.regex.Pattern.compile("\"decisions\":(\\d+)").matcher(body);
                recorded = m.find() ? Integer.parseInt(m.group(1)) : 0;
            } catch (java.io.IOException e) {
                recorded = 0;
            }
        }
        System.out.printf(
                Locale.ROOT,
                "%d decisions of %s recorded after %d s; settings %s%n",
                recorded,
                "shop/big",
                (System.nanoTime() - start) / 1_000_000_000,
                settings);

        long before = rss(p);
        AtomicLong peak = new AtomicLong(before);
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peak.accumulateAndGet(rss(p), Math::max);
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sampler.start();
        long t0 = System.nanoTime();
        List<CompletableFuture<HttpResponse<byte[]>>> gets = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            gets.add(
                    http.sendAsync(HttpRequest.newBuilder(decisions).build(), HttpResponse.BodyHandlers.ofByteArray()));
        }
        List<String> results = new ArrayList<>();
        for (CompletableFuture<HttpResponse<byte[]>> g : gets) {
            try {
                HttpResponse<byte[]> r = g.get();
                results.add(String.format(
                        Locale.ROOT,
                        "%d %.1f MiB%s",
                        r.statusCode(),
                        r.body().length / 1048576.0,
                        r.headers()
                                .firstValue("Zkscale-Truncated")
                                .map(t -> " (" + t + " left out)")
                                .orElse("")));
            } catch (java.util.concurrent.ExecutionException e) {
                results.add("failed: " + e.getCause());
            }
        }
        long wall = (System.nanoTime() - t0) / 1_000_000;
        Thread.sleep(5000);
        sampler.interrupt();
        sampler.join();
        long after = rss(p);
        System.out.printf(
                Locale.ROOT,
                "%d concurrent GETs in %d ms: %s%nRSS before %d MiB, highest during %d MiB, 5 s after %d MiB; "
                        + "process %s%n",
                clients,
                wall,
                results,
                before / 1024,
                peak.get() / 1024,
                after / 1024,
                p.alive() ? "alive" : "DEAD (see " + p.log() + ")");
    }

    /** The process's resident set size in KiB, 0 when it is gone. */
    private static long rss(ZkscaleProcess p) {
        try {
            for (String line : Files.readAllLines(
                    Path.of("/proc", Long.toString(p.process().pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (java.io.IOException e) {
            return 0;
        }
        return 0;
    }
}
