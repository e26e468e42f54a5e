package dev.zkscale.bench;

import dev.zkscale.app.ZkscaleProcess;
import dev.zkscale.app.ZooKeeperProcess;
import dev.zkscale.coordination.ZkLeadership;
import dev.zkscale.coordination.ZkTuningSource;
import dev.zkscale.coordination.ZooKeeperClients;
import dev.zkscale.demo.SteppedClock;
import dev.zkscale.kube.BulkLoad;
import dev.zkscale.kube.Fixtures;
import dev.zkscale.kube.KubeCluster;
import dev.zkscale.kube.MetricsParse;
import dev.zkscale.kube.MockApi;
import dev.zkscale.kube.RecordingDispatcher;
import dev.zkscale.loop.ControlLoop;
import dev.zkscale.loop.TuningSource;
import dev.zkscale.monitor.DecisionRecord;
import dev.zkscale.monitor.PrometheusMonitor;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.apache.curator.framework.CuratorFramework;

/**
 * The cost of the control loop at scale, measured, not asserted (not a test; run by hand; {@code PassBenchTest} runs
 * it at a tiny size so that it cannot rot). For each size ({@code --sizes TARGETSxPODSxNAMESPACES,...}; by default
 * the two of issue 14: 1,000 targets of 10 pods in one namespace, and 10,000 targets of 15 pods in 10 namespaces),
 * with every target at its right size, so that a pass decides every target and writes nothing:
 *
 * <ol>
 * <li>A ZooKeeper server process and a mock API server in this JVM, seeded with the Deployments and pods (the
 * PodMetrics lists are served as fixed responses, so the mock's own cost per list is small) and the config ZNodes.
 * The mock answers Event creates at once and pages LISTs that ask for it, as the API server does.</li>
 * <li>The floor: this JVM reads and parses one pass's PodMetrics lists with the controller's own reader
 * ({@code KubeMetrics}), five times; the median CPU (this JVM less the mock's threads) and wall time.</li>
 * <li>Optionally ({@code --passes N}, N above 0) the real loop in this JVM against the same servers: for each pass the
 * CPU of the pass thread, of all threads but the mock's, the wall time, the bytes the pass thread allocated and the
 * requests (a {@code --jfr FILE} profile of these passes).</li>
 * <li>A {@code zkscale run} process as {@code bin/zkscale run} starts it (its JVM settings, plus {@code --java-opts}),
 * against the same servers, the mock's cost outside it: the wall time from launch to its first pass's end, its CPU
 * per pass (utime + stime of all its threads between the starts of consecutive passes, which a pass's first PodMetrics
 * request marks) after {@code --process-warmup} passes, over {@code --process-passes} passes; its RSS then; the
 * requests of each pass, by kind.</li>
 * </ol>
 * At the end, one table: a column per size.
 *
 * <pre>
 * ./mvnw -B package -DskipTests
 * ./mvnw -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test.cp
 * java -Xmx6g -cp target/test-classes:target/classes:$(cat target/test.cp) dev.zkscale.bench.PassBench
 * </pre>
 *
 * Options: {@code --sizes} (above), {@code --warmup N} (5 in-JVM passes before measuring), {@code --passes N} (0:
 * no in-JVM passes), {@code --process-warmup N} (20: the JIT compiles for about that many), {@code --process-passes
 * N} (10), {@code --process-sync D} (the process's sync period, 5s), {@code --java-opts "..."} (added after the
 * launcher's JVM settings), {@code --record-depth N} and {@code --record-max-bytes N} (the decision record's, in this
 * JVM and the process; the defaults of {@code zkscale.decision-record-depth} and {@code -max-bytes}), {@code
 * --managed-fields true} (each pod carries the managedFields of a real one), {@code --threads} (print the CPU time
 * of this JVM's threads), {@code --jfr FILE} (a profile of the in-JVM passes), {@code --process-jfr FILE} (a flight
 * recording of the process, saved to FILE, whose top entries over the measured passes are printed: {@link JfrTop}).
 */
public final class PassBench {
    private static final Path OUT = Path.of("target", "pass-bench");
    private static final String ROOT = "/bench";

    /** Held, so that its level stays: the mock server logs every request at INFO (through java.util.logging). */
    private static final java.util.logging.Logger MOCK_LOG =
            java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");
    /**
     * Held, so that its level stays: the root of JBoss LogManager (where slf4j logs), which without a configuration
     * lets everything through, and the HTTP client then logs every response body.
     */
    private static final java.util.logging.Logger ROOT_LOG = org.jboss.logmanager.Logger.getLogger("");

    private PassBench() {}

    /** A cluster size: targets of {@code pods} pods each, spread over {@code namespaces} namespaces. */
    record Size(int targets, int pods, int namespaces) {
        static Size parse(String text) {
            String[] parts = text.split("x");
            return new Size(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
        }

        @Override
        public String toString() {
            return String.format(
                    "%,d targets x %d pods (%,d pods, %d namespace(s))", targets, pods, targets * pods, namespaces);
        }
    }

    /** One in-JVM pass. */
    private record Pass(
            long threadCpuNanos,
            long controllerCpuNanos,
            long wallNanos,
            long allocatedBytes,
            int apiRequests,
            Map<String, Long> requestKinds) {}

    /** What the process measured. */
    record ProcessFigures(
            double firstPassSeconds,
            Start start,
            double cpuPerPassMillis,
            double cpuPerPassMinMillis,
            double cpuPerPassMaxMillis,
            String rss,
            Map<String, Double> requestsPerPass) {}

    /**
     * The first pass's wall time in parts, in seconds from launch (NaN when the log does not say): Quarkus started (the
     * JVM, the config and Kubernetes caches, the latch), leadership taken, the first pass's decisions made and written
     * (the stamps begin), the takeover fence complete (every target not written stamped), the first pass ended; and
     * how long the stamps took.
     */
    record Start(
            double quarkusStarted,
            double leader,
            double decided,
            double fenced,
            double firstPassEnded,
            double stamping) {
        /** From leadership to the end of the first pass. */
        double leaderToFirstPass() {
            return firstPassEnded - leader;
        }

        /** From leadership to the first pass's decisions made and written. */
        double leaderToDecided() {
            return decided - leader;
        }

        /** From leadership to every target fenced (its write or its stamp landed). */
        double leaderToFenced() {
            return fenced - leader;
        }

        private static final Pattern QUARKUS = Pattern.compile("\\) started in ");
        private static final Pattern LEADER = Pattern.compile("\\) leader, epoch ");
        private static final Pattern DECIDED = Pattern.compile("\\) epoch \\d+: this pass's decisions are made");
        private static final Pattern STAMPED = Pattern.compile("\\) epoch \\d+ stamped on .* in (\\d+) ms");
        private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss,SSS");

        /** Whether the log says the takeover's stamps are done. */
        static boolean fenced(Path log) throws IOException {
            try (var lines = Files.lines(log)) {
                return lines.anyMatch(line -> STAMPED.matcher(line).find());
            }
        }

        /** Read from the process's log (its lines start with the local time, to the millisecond). */
        static Start read(Path log, Instant launched, double firstPassEnded) throws IOException {
            double quarkus = Double.NaN;
            double leader = Double.NaN;
            double decided = Double.NaN;
            double fenced = Double.NaN;
            double stamping = Double.NaN;
            for (String line : Files.readAllLines(log)) {
                if (Double.isNaN(quarkus) && QUARKUS.matcher(line).find()) {
                    quarkus = since(launched, line);
                } else if (Double.isNaN(leader) && LEADER.matcher(line).find()) {
                    leader = since(launched, line);
                } else if (Double.isNaN(decided) && DECIDED.matcher(line).find()) {
                    decided = since(launched, line);
                }
                Matcher stamped = STAMPED.matcher(line);
                if (Double.isNaN(stamping) && stamped.find()) {
                    fenced = since(launched, line);
                    stamping = Long.parseLong(stamped.group(1)) / 1000.0;
                }
            }
            return new Start(quarkus, leader, decided, fenced, firstPassEnded, stamping);
        }

        private static double since(Instant launched, String line) {
            Instant at = LocalDateTime.parse(line.substring(0, 23), LOG_TIME)
                    .atZone(ZoneId.systemDefault())
                    .toInstant();
            return Duration.between(launched, at).toMillis() / 1000.0;
        }
    }

    /** Every figure of one size: a column of the table. */
    record Column(
            Size size, double floorCpuMillis, double floorWallMillis, double parseCpuMillis, ProcessFigures process) {}

    /** Runs the benchmark with these options (see the class comment); returns a column per size. */
    public static List<Column> run(String... args) throws Exception {
        Map<String, String> o = new HashMap<>();
        String[] defaults = {
            "--sizes", "1000x10x1,10000x15x10",
            "--warmup", "5",
            "--passes", "0",
            "--process-warmup", "20",
            "--process-passes", "10",
            "--process-sync", "5s",
            "--java-opts", "",
            "--jfr", "",
            "--process-jfr", "",
            "--record-depth", "100",
            "--record-max-bytes", "16777216",
            "--managed-fields", "false"
        };
        for (int i = 0; i < defaults.length; i += 2) {
            o.put(defaults[i], defaults[i + 1]);
        }
        boolean threads = false;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--threads")) {
                threads = true;
            } else if (o.containsKey(args[i]) && i + 1 < args.length) {
                o.put(args[i], args[++i]);
            } else {
                throw new IllegalArgumentException("unknown option " + args[i] + "; options: " + o.keySet());
            }
        }
        // Logging as a controller's (INFO): fabric8 adds a body-logging interceptor to clients made while it traces.
        ROOT_LOG.setLevel(Level.INFO);
        MOCK_LOG.setLevel(Level.WARNING);
        Files.createDirectories(OUT);
        List<Column> columns = new ArrayList<>();
        for (String size : o.get("--sizes").split(",")) {
            columns.add(size(Size.parse(size), o, threads));
        }
        table(columns);
        return columns;
    }

    public static void main(String[] args) throws Exception {
        run(args);
    }

    private static Column size(Size size, Map<String, String> o, boolean threads) throws Exception {
        System.out.printf("%n=== %s ===%n", size);
        try (ZooKeeperProcess zookeeper = ZooKeeperProcess.start(OUT, Duration.ofSeconds(30));
                MockApi api = MockApi.start()) {
            long seeding = System.nanoTime();
            seed(api, size, Boolean.parseBoolean(o.get("--managed-fields")));
            CuratorFramework curator =
                    ZooKeeperClients.start(zookeeper.connectString(), Duration.ofSeconds(10), Duration.ofSeconds(5));
            if (!curator.blockUntilConnected(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("ZooKeeper is not serving");
            }
            writeConfigs(curator, size);
            System.out.printf(
                    "seeded %,d Deployments, %,d pods, %,d PodMetrics and %,d config ZNodes in %d s%n",
                    size.targets(),
                    size.targets() * size.pods(),
                    size.targets() * size.pods(),
                    size.targets(),
                    TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - seeding));
            // Production's request timeout is 5 s (KubernetesClients); the mock is slower than an API server at
            // listing thousands of objects, and its speed is not what is measured here.
            KubernetesClient client = api.server.createClient(b -> b.editOrNewConfig()
                    .withRequestTimeout(60_000)
                    .withConnectionTimeout(3_000)
                    .endConfig());
            double[] floor = floor(client, api, size);
            int depth = Integer.parseInt(o.get("--record-depth"));
            long maxBytes = Long.parseLong(o.get("--record-max-bytes"));
            if (Integer.parseInt(o.get("--passes")) > 0) {
                inJvm(api, client, curator, size, o, depth, maxBytes, threads);
            }
            client.close();
            ProcessFigures process = runProcess(zookeeper, api, size, o, depth, maxBytes);
            curator.close();
            return new Column(size, floor[0], floor[1], floor[2], process);
        }
    }

    /**
     * The {@code metadata.managedFields} the API server keeps on a pod of a Deployment (server-side apply bookkeeping,
     * here as on a kind 1.30 cluster: the ReplicaSet controller's fields and the kubelet's status fields), so that the
     * cached pods are as large as in a cluster. About 2.6 KB of JSON.
     */
    private static final String MANAGED_FIELDS = """
            [{"apiVersion": "v1", "fieldsType": "FieldsV1", "manager": "kube-controller-manager", "operation": "Update",
              "time": "2026-01-01T00:00:00Z",
              "fieldsV1": {"f:metadata": {"f:generateName": {}, "f:labels": {".": {}, "f:app": {}, "f:tier": {},
                             "f:pod-template-hash": {}},
                           "f:ownerReferences": {".": {},
                             "k:{\\"uid\\":\\"6f1c1d2e-0000-4000-8000-000000000001\\"}": {}}},
                           "f:spec": {"f:containers": {"k:{\\"name\\":\\"app\\"}": {".": {}, "f:image": {},
                             "f:imagePullPolicy": {}, "f:name": {}, "f:ports": {".": {},
                               "k:{\\"containerPort\\":8080,\\"protocol\\":\\"TCP\\"}": {".": {}, "f:containerPort": {},
                                 "f:name": {}, "f:protocol": {}}},
                             "f:resources": {".": {}, "f:limits": {".": {}, "f:memory": {}},
                               "f:requests": {".": {}, "f:cpu": {}, "f:memory": {}}},
                             "f:terminationMessagePath": {}, "f:terminationMessagePolicy": {}}},
                           "f:dnsPolicy": {}, "f:enableServiceLinks": {}, "f:restartPolicy": {}, "f:schedulerName": {},
                           "f:securityContext": {}, "f:terminationGracePeriodSeconds": {}}}},
             {"apiVersion": "v1", "fieldsType": "FieldsV1", "manager": "kubelet", "operation": "Update",
              "subresource": "status", "time": "2026-01-01T00:00:30Z",
              "fieldsV1": {"f:status": {"f:conditions": {
                  "k:{\\"type\\":\\"ContainersReady\\"}": {".": {}, "f:lastProbeTime": {}, "f:lastTransitionTime": {},
                    "f:status": {}, "f:type": {}},
                  "k:{\\"type\\":\\"Initialized\\"}": {".": {}, "f:lastProbeTime": {}, "f:lastTransitionTime": {},
                    "f:status": {}, "f:type": {}},
                  "k:{\\"type\\":\\"PodReadyToStartContainers\\"}": {".": {}, "f:lastProbeTime": {},
                    "f:lastTransitionTime": {}, "f:status": {}, "f:type": {}},
                  "k:{\\"type\\":\\"Ready\\"}": {".": {}, "f:lastProbeTime": {}, "f:lastTransitionTime": {},
                    "f:status": {}, "f:type": {}}},
                "f:containerStatuses": {}, "f:hostIP": {}, "f:hostIPs": {}, "f:phase": {}, "f:podIP": {},
                "f:podIPs": {".": {}, "k:{\\"ip\\":\\"10.244.1.17\\"}": {".": {}, "f:ip": {}}},
                "f:startTime": {}}}}]""";

    /**
     * Puts the Deployments and pods straight into the mock's store (creating 300,000 objects through its API would take
     * hours), and serves each namespace's PodMetrics list as a fixed response. Usage 45% to 55% of request against a
     * 50% target: within tolerance, so no target scales. With {@code managedFields}, each pod carries the {@link
     * #MANAGED_FIELDS} of a real one. Event creates are answered at once (the CRUD mock scans its whole store on each
     * create), and LISTs with a limit are paged.
     */
    private static void seed(MockApi api, Size size, boolean managedFields) {
        List<ManagedFieldsEntry> fields =
                managedFields ? List.of(Serialization.unmarshal(MANAGED_FIELDS, ManagedFieldsEntry[].class)) : null;
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        Map<String, List<GenericKubernetesResource>> metrics = new TreeMap<>();
        for (int t = 0; t < size.targets(); t++) {
            String ns = namespace(t, size.namespaces());
            String name = name(t);
            Map<String, String> labels = Map.of("app", name, "tier", "web");
            BulkLoad.put(api, "deployments", Fixtures.deployment(ns, name, size.pods(), Map.of("app", name), null));
            for (int p = 0; p < size.pods(); p++) {
                String pod = name + "-" + p;
                int usage = 225 + Math.floorMod(p * 7 + name.hashCode(), 50);
                Pod running = Fixtures.runningPod(ns, pod, labels, "500m");
                running.getMetadata().setManagedFields(fields);
                BulkLoad.put(api, "pods", running);
                metrics.computeIfAbsent(ns, k -> new ArrayList<>())
                        .add(Fixtures.podMetrics(ns, pod, labels, now, "30s", Map.of("app", usage + "m")));
            }
        }
        metrics.forEach((ns, items) -> {
            Map<String, Object> list = new LinkedHashMap<>();
            list.put("kind", "PodMetricsList");
            list.put("apiVersion", "metrics.k8s.io/v1beta1");
            list.put("metadata", Map.of());
            list.put("items", items);
            api.server
                    .expect()
                    .get()
                    .withPath(metricsPath(ns))
                    .andReturn(200, Serialization.asJson(list))
                    .always();
            api.server
                    .expect()
                    .post()
                    .withPath("/api/v1/namespaces/" + ns + "/events")
                    .andReturn(201, "{\"apiVersion\":\"v1\",\"kind\":\"Event\"}")
                    .always();
        });
        api.pageLists();
    }

    private static String metricsPath(String namespace) {
        return "/apis/metrics.k8s.io/v1beta1/namespaces/" + namespace + "/pods";
    }

    private static void writeConfigs(CuratorFramework curator, Size size) throws Exception {
        byte[] config = "{\"minReplicas\": 1, \"maxReplicas\": 50, \"targetCPUUtilizationPercentage\": 50}"
                .getBytes(StandardCharsets.UTF_8);
        for (int t = 0; t < size.targets(); t++) {
            curator.create()
                    .creatingParentsIfNeeded()
                    .forPath(ROOT + "/targets/" + namespace(t, size.namespaces()) + "/" + name(t), config);
        }
    }

    private static String namespace(int target, int namespaces) {
        return "ns-" + (target % namespaces);
    }

    private static String name(int target) {
        return String.format("t%05d", target);
    }

    /**
     * The floor: reading and parsing one pass's PodMetrics lists with the controller's reader, ten times after ten
     * rounds of warm-up; then parsing the same bytes alone. Returns the median CPU of reading and parsing (this JVM
     * less the mock's threads), its wall time, and the median CPU of parsing alone, in ms.
     */
    private static double[] floor(KubernetesClient client, MockApi api, Size size) throws Exception {
        KubeCluster reader = new KubeCluster(client, Set.of());
        double[] cpu = new double[10];
        double[] wall = new double[10];
        double[] parse = new double[10];
        int unreadable = 0;
        for (int round = -10; round < cpu.length; round++) {
            long cpu0 = controllerCpu(ManagementFactory.getThreadMXBean());
            long wall0 = System.nanoTime();
            for (int n = 0; n < size.namespaces(); n++) {
                unreadable += reader.metrics().podMetrics("ns-" + n).unreadable();
            }
            if (round >= 0) {
                cpu[round] = (controllerCpu(ManagementFactory.getThreadMXBean()) - cpu0) / 1e6;
                wall[round] = (System.nanoTime() - wall0) / 1e6;
            }
        }
        if (unreadable != 0) {
            throw new IllegalStateException(unreadable + " PodMetrics items unreadable");
        }
        List<byte[]> bodies = new ArrayList<>();
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        for (int n = 0; n < size.namespaces(); n++) {
            bodies.add(http.send(
                            java.net.http.HttpRequest.newBuilder(
                                            java.net.URI.create(api.server.url(metricsPath("ns-" + n))))
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofByteArray())
                    .body());
        }
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int round = -10; round < parse.length; round++) {
            long cpu0 = threads.getCurrentThreadCpuTime();
            for (byte[] body : bodies) {
                MetricsParse.items(body);
            }
            if (round >= 0) {
                parse[round] = (threads.getCurrentThreadCpuTime() - cpu0) / 1e6;
            }
        }
        Arrays.sort(cpu);
        Arrays.sort(wall);
        Arrays.sort(parse);
        System.out.printf(
                "floor: reading and parsing %d PodMetrics list(s) of %,d items in all (%,d bytes): CPU %.1f ms, wall "
                        + "%.1f ms; parsing alone: CPU %.1f ms (medians of 10)%n",
                size.namespaces(),
                size.targets() * size.pods(),
                bodies.stream().mapToLong(body -> body.length).sum(),
                cpu[5],
                wall[5],
                parse[5]);
        return new double[] {cpu[5], wall[5], parse[5]};
    }

    /** The loop in this JVM: per-pass CPU, allocation and requests, then its retained heap. */
    private static void inJvm(
            MockApi api,
            KubernetesClient client,
            CuratorFramework curator,
            Size size,
            Map<String, String> o,
            int depth,
            long maxBytes,
            boolean threads)
            throws Exception {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long heapBefore = heapAfterGc(memory);
        KubeCluster cluster = new KubeCluster(client, Set.of());
        long caches = System.nanoTime();
        cluster.start(Duration.ofMinutes(5));
        System.out.printf("caches synced in %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - caches));
        ZkLeadership leadership = new ZkLeadership(curator, ROOT, "bench");
        leadership.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        ZkTuningSource tuning = new ZkTuningSource(curator, ROOT, 1000);
        tuning.start();
        while (leadership.epoch().isEmpty() || !loaded(tuning, size)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no leadership or config cache within 60 s");
            }
            Thread.sleep(10);
        }
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        DecisionRecord record = new DecisionRecord(depth, maxBytes);
        SteppedClock clock = new SteppedClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        PrometheusMonitor monitor = new PrometheusMonitor(registry, leadership, clock);
        ControlLoop loop = new ControlLoop(
                cluster.ports(leadership, tuning, monitor, record),
                clock,
                new ControlLoop.Settings(1000, false, Set.of()));
        int warmup = Integer.parseInt(o.get("--warmup"));
        for (int i = 0; i < warmup; i++) {
            clock.advance(Duration.ofSeconds(15));
            loop.pass();
        }
        check(record, size.targets(), api);
        long heapWarm = heapAfterGc(memory);
        List<Pass> passes = new ArrayList<>();
        Recording jfr = o.get("--jfr").isEmpty() ? null : new Recording(Configuration.getConfiguration("profile"));
        if (jfr != null) {
            jfr.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(2));
            jfr.start();
        }
        for (int i = 0; i < Integer.parseInt(o.get("--passes")); i++) {
            clock.advance(Duration.ofSeconds(15));
            passes.add(measure(loop, api));
        }
        if (jfr != null) {
            jfr.stop();
            jfr.dump(Path.of(o.get("--jfr")));
            jfr.close();
        }
        report(passes, size);
        System.out.printf(
                "retained heap of the in-JVM controller after %d passes (after full GC; the mock's store excluded): "
                        + "%.1f MiB; decision record %.1f MiB%n",
                warmup, mib(heapWarm - heapBefore), mib(record.bytes()));
        if (threads) {
            printThreads();
        }
        tuning.close();
        monitor.close();
        leadership.close();
        cluster.close();
    }

    private static boolean loaded(ZkTuningSource tuning, Size size) {
        try {
            return tuning.targets().size() == size.targets();
        } catch (TuningSource.TuningUnavailableException e) {
            return false;
        }
    }

    /** Every target decided, without error, without a write. */
    private static void check(DecisionRecord record, int targets, MockApi api) {
        long decided = record.targets().size();
        long errors = record.targets().stream()
                .map(record::latest)
                .filter(d -> d.orElseThrow().decision().error() != null)
                .count();
        // The takeover's stamps are PATCHes too; a scale write is the one that sets spec.replicas.
        long writes = api.bodies(0, r -> r.method().equals("PATCH")).stream()
                .filter(body -> body.contains("/spec/replicas"))
                .count();
        System.out.printf(
                "after warm-up: %d targets decided, %d with an error, %d scale writes%n", decided, errors, writes);
        if (decided != targets || errors != 0 || writes != 0) {
            record.targets().stream()
                    .limit(3)
                    .forEach(t ->
                            System.out.println(record.latest(t).orElseThrow().decision()));
            throw new IllegalStateException("the workload is not the steady state this benchmark is meant to measure");
        }
    }

    private static Pass measure(ControlLoop loop, MockApi api) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long me = Thread.currentThread().getId();
        int mark = api.mark();
        long controller0 = controllerCpu(threads);
        long alloc0 = threads.getThreadAllocatedBytes(me);
        long cpu0 = threads.getCurrentThreadCpuTime();
        long wall0 = System.nanoTime();
        loop.pass();
        long wall = System.nanoTime() - wall0;
        long cpu = threads.getCurrentThreadCpuTime() - cpu0;
        long alloc = threads.getThreadAllocatedBytes(me) - alloc0;
        long controller = controllerCpu(threads) - controller0;
        List<RecordingDispatcher.Request> requests = api.requests(mark, r -> !r.isWatch());
        return new Pass(cpu, controller, wall, alloc, requests.size(), kinds(requests));
    }

    /** Requests by method and path, namespaces elided. */
    private static Map<String, Long> kinds(List<RecordingDispatcher.Request> requests) {
        return requests.stream().collect(Collectors.groupingBy(PassBench::kind, TreeMap::new, Collectors.counting()));
    }

    private static String kind(RecordingDispatcher.Request r) {
        return r.method() + " " + r.path().replaceAll("\\?.*", "").replaceAll("/namespaces/[^/]+", "/namespaces/*");
    }

    /**
     * CPU time of this JVM (every thread, the JVM's own included: GC, compilers) less that of the mock API server's
     * Vert.x threads, so what the controller spends, wherever it spends it.
     */
    private static long controllerCpu(java.lang.management.ThreadMXBean threads) {
        long mock = 0;
        for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith("vert.x")) {
                mock += Math.max(threads.getThreadCpuTime(info.getThreadId()), 0);
            }
        }
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                        .getProcessCpuTime()
                - mock;
    }

    private static void printThreads() {
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        System.out.println("CPU time by thread (ms):");
        Arrays.stream(threads.getThreadInfo(threads.getAllThreadIds()))
                .filter(i -> i != null)
                .sorted(Comparator.comparingLong(i -> -threads.getThreadCpuTime(i.getThreadId())))
                .limit(25)
                .forEach(i -> System.out.printf(
                        "  %8d  %s%n", threads.getThreadCpuTime(i.getThreadId()) / 1_000_000, i.getThreadName()));
    }

    private static void report(List<Pass> passes, Size size) {
        System.out.printf("in-JVM loop, %d passes measured after warm-up (min / median / max):%n", passes.size());
        line("CPU of the pass thread (ms)", passes, p -> p.threadCpuNanos() / 1e6);
        line("CPU of the controller, all threads (ms)", passes, p -> p.controllerCpuNanos() / 1e6);
        line("wall time (ms)", passes, p -> p.wallNanos() / 1e6);
        line("allocated by the pass thread (MiB)", passes, p -> p.allocatedBytes() / 1048576.0);
        line("API requests (watches excluded)", passes, p -> (double) p.apiRequests());
        System.out.println("  API requests of the last pass: "
                + passes.get(passes.size() - 1).requestKinds());
    }

    private static void line(String what, List<Pass> passes, Function<Pass, Double> f) {
        double[] v =
                passes.stream().map(f).mapToDouble(Double::doubleValue).sorted().toArray();
        System.out.printf("  %-42s %10.1f %10.1f %10.1f%n", what, v[0], v[v.length / 2], v[v.length - 1]);
    }

    /** Heap in use after a full collection (System.gc() twice; the JVM may ignore it, so an estimate). */
    private static long heapAfterGc(MemoryMXBean memory) throws InterruptedException {
        for (int i = 0; i < 2; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    private static double mib(long bytes) {
        return bytes / 1048576.0;
    }

    /** The VmRSS line of /proc/PID/status, as the kernel prints it. */
    static String vmRss(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                    .filter(l -> l.startsWith("VmRSS:"))
                    .map(l -> l.substring(6).trim())
                    .findFirst()
                    .orElse("?");
        } catch (IOException e) {
            return "? (" + e.getMessage() + ")";
        }
    }

    /** utime + stime of the process, in ms (from /proc/PID/stat, at 100 ticks a second). */
    static long cpuMillis(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // After "pid (comm) ", fields[0] is state (field 3), so utime (field 14) is fields[11], stime fields[12].
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10;
        } catch (IOException e) {
            return -1;
        }
    }

    /** The start of a pass in the process (its first PodMetrics request), and the requests since the previous one. */
    private record Mark(long nanos, Instant at, long cpuMillis, Map<String, Long> requestsBefore) {}

    /** A zkscale run process against the same servers: see the class comment. */
    private static ProcessFigures runProcess(
            ZooKeeperProcess zookeeper, MockApi api, Size size, Map<String, String> o, int depth, long maxBytes)
            throws Exception {
        String jfr = o.get("--process-jfr");
        System.setProperty(
                "zkscale.it.java-opts", (o.get("--java-opts") + (jfr.isEmpty() ? "" : " " + JFR_FLAG)).trim());
        Map<String, String> settings = Map.of(
                "zkscale.zookeeper.connect", zookeeper.connectString(),
                "zkscale.zookeeper.root", ROOT,
                "zkscale.sync-period", o.get("--process-sync"),
                "zkscale.cache-sync-timeout", "10m",
                "quarkus.kubernetes-client.api-server-url", api.server.url("/"),
                // The mock lists 150,000 pods slowly; a request may take up to a third of the session (start-up
                // refuses more, see docs/takeover.md).
                "quarkus.kubernetes-client.request-timeout", "20s",
                "zkscale.zookeeper.session-timeout", "60s",
                "zkscale.decision-record-depth", Integer.toString(depth),
                "zkscale.decision-record-max-bytes", Long.toString(maxBytes));
        int warmup = Integer.parseInt(o.get("--process-warmup"));
        int measured = Integer.parseInt(o.get("--process-passes"));
        String marker = metricsPath("ns-0");
        List<Mark> marks = new CopyOnWriteArrayList<>();
        Map<String, Long> since = new TreeMap<>();
        long launched = System.nanoTime();
        Instant launchedAt = Instant.now();
        try (ZkscaleProcess p = ZkscaleProcess.start("zkscale-run", OUT, settings)) {
            long pid = p.process().pid();
            api.onRequest(r -> {
                if (r.isWatch()) {
                    return;
                }
                synchronized (since) {
                    if (r.method().equals("GET") && r.path().equals(marker)) {
                        marks.add(new Mark(System.nanoTime(), Instant.now(), cpuMillis(pid), new TreeMap<>(since)));
                        since.clear();
                    }
                    since.merge(kind(r), 1L, Long::sum);
                }
            });
            System.out.printf(
                    "zkscale run (pid %d, bin/zkscale's JVM settings%s, sync period %s); log %s%n",
                    pid,
                    o.get("--java-opts").isEmpty() ? "" : " + " + o.get("--java-opts"),
                    o.get("--process-sync"),
                    p.log());
            // A pass ended (a follower's may end before leadership), and the first pass as leader stamped: every
            // target here carries an older epoch, so the leader's first pass ends with its stamps.
            while (!p.passed() || !Start.fenced(p.log())) {
                alive(p, launched);
                Thread.sleep(200);
            }
            double firstPass = (System.nanoTime() - launched) / 1e9;
            Start startup = Start.read(p.log(), launchedAt, firstPass);
            System.out.printf(
                    "  first pass ended %.1f s after launch: Quarkus started (JVM, caches) at %.1f s, leader at %.1f s;"
                            + " from leadership: first decisions made and written %.1f s, fence complete %.1f s"
                            + " (stamping %.1f s), first pass ended %.1f s%n",
                    firstPass,
                    startup.quarkusStarted(),
                    startup.leader(),
                    startup.leaderToDecided(),
                    startup.leaderToFenced(),
                    startup.stamping(),
                    startup.leaderToFirstPass());
            while (marks.size() < warmup + measured + 1) {
                alive(p, launched);
                Thread.sleep(200);
            }
            String rss = vmRss(pid);
            api.onRequest(r -> {});
            if (!jfr.isEmpty()) {
                dumpJfr(
                        pid,
                        Path.of(jfr),
                        marks.get(warmup).at(),
                        marks.get(warmup + measured).at());
            }
            double[] cpu = new double[measured];
            Map<String, Double> requests = new TreeMap<>();
            System.out.printf("  %6s %12s %10s  %s%n", "pass", "CPU (ms)", "wall (s)", "requests since the last pass");
            for (int i = 0; i < measured; i++) {
                Mark start = marks.get(warmup + i);
                Mark next = marks.get(warmup + i + 1);
                cpu[i] = next.cpuMillis() - start.cpuMillis();
                next.requestsBefore().forEach((k, n) -> requests.merge(k, n / (double) measured, Double::sum));
                System.out.printf(
                        "  %6d %12.0f %10.1f  %s%n",
                        warmup + i + 1, cpu[i], (next.nanos() - start.nanos()) / 1e9, next.requestsBefore());
            }
            Arrays.sort(cpu);
            Map<String, Double> metrics = p.metrics();
            System.out.printf(
                    "  CPU per pass (all threads, between pass starts) min %.0f, median %.0f, max %.0f ms; "
                            + "RSS %s; mean pass wall time %.0f ms%n",
                    cpu[0],
                    cpu[measured / 2],
                    cpu[measured - 1],
                    rss,
                    metrics.getOrDefault("zkscale_decision_duration_seconds_sum", Double.NaN)
                            / metrics.getOrDefault("zkscale_decision_duration_seconds_count", Double.NaN)
                            * 1000);
            return new ProcessFigures(firstPass, startup, cpu[measured / 2], cpu[0], cpu[measured - 1], rss, requests);
        }
    }

    /** The flight recording of {@code --process-jfr}: the profile settings, Java samples every 5 ms. */
    private static final String JFR_FLAG =
            "-XX:StartFlightRecording=name=bench,settings=profile,jdk.ExecutionSample#period=5ms";

    /** Dumps the process's recording to {@code file} and prints the top entries of the measured passes. */
    private static void dumpJfr(long pid, Path file, Instant from, Instant to) throws Exception {
        Process jcmd = new ProcessBuilder(
                        "jcmd", Long.toString(pid), "JFR.dump", "name=bench", "filename=" + file.toAbsolutePath())
                .redirectErrorStream(true)
                .start();
        String output = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (jcmd.waitFor() != 0) {
            throw new IllegalStateException("jcmd JFR.dump failed: " + output);
        }
        JfrTop.print(file, from, to, System.out);
    }

    private static void alive(ZkscaleProcess p, long launched) {
        if (!p.alive()) {
            throw new IllegalStateException("zkscale run exited; see " + p.log());
        }
        if (System.nanoTime() - launched > TimeUnit.MINUTES.toNanos(30)) {
            throw new IllegalStateException("zkscale run did not get through its passes in 30 minutes; see " + p.log());
        }
    }

    /** The figures of every size, side by side. */
    private static void table(List<Column> columns) {
        System.out.printf("%n| figure |");
        columns.forEach(c -> System.out.printf(" %s |", c.size()));
        System.out.printf("%n|---|");
        columns.forEach(c -> System.out.print("---|"));
        System.out.println();
        row(
                columns,
                "process CPU per steady pass (all threads, median; min to max)",
                c -> String.format(
                        "%.0f ms (%.0f to %.0f)",
                        c.process().cpuPerPassMillis(),
                        c.process().cpuPerPassMinMillis(),
                        c.process().cpuPerPassMaxMillis()));
        row(
                columns,
                "RSS, steady, with the launcher's settings",
                c -> c.process().rss());
        row(
                columns,
                "first pass after start (wall, from launch)",
                c -> String.format("%.1f s", c.process().firstPassSeconds()));
        row(
                columns,
                "of which: launch to Quarkus started (JVM, config and Kubernetes caches)",
                c -> String.format("%.1f s", c.process().start().quarkusStarted()));
        row(
                columns,
                "leadership to first decisions made and written (the first pass after a takeover)",
                c -> String.format("%.1f s", c.process().start().leaderToDecided()));
        row(
                columns,
                "leadership to fence complete: the stamps of the targets not written (of it, stamping)",
                c -> String.format(
                        "%.1f s (%.1f s)",
                        c.process().start().leaderToFenced(),
                        c.process().start().stamping()));
        row(
                columns,
                "API requests per steady pass",
                c -> c.process().requestsPerPass().entrySet().stream()
                        .map(e -> String.format("%s: %.1f", e.getKey(), e.getValue()))
                        .collect(Collectors.joining("; ")));
        row(
                columns,
                "floor: read and parse one pass's PodMetrics (CPU; wall)",
                c -> String.format("%.0f ms; %.0f ms", c.floorCpuMillis(), c.floorWallMillis()));
        row(
                columns,
                "pass CPU / floor CPU",
                c -> String.format("%.1f", c.process().cpuPerPassMillis() / c.floorCpuMillis()));
    }

    private static void row(List<Column> columns, String figure, Function<Column, String> value) {
        System.out.printf("| %s |", figure);
        columns.forEach(c -> System.out.printf(" %s |", value.apply(c)));
        System.out.println();
    }
}
