package dev.zkscale.bench;

import dev.zkscale.app.ZkscaleProcess;
import dev.zkscale.app.ZooKeeperProcess;
import dev.zkscale.coordination.ZkLeadership;
import dev.zkscale.coordination.ZkTuningSource;
import dev.zkscale.coordination.ZooKeeperClients;
import dev.zkscale.core.Decision;
import dev.zkscale.core.Snapshot;
import dev.zkscale.core.TargetRef;
import dev.zkscale.demo.SteppedClock;
import dev.zkscale.kube.BulkLoad;
import dev.zkscale.kube.Fixtures;
import dev.zkscale.kube.KubeCluster;
import dev.zkscale.kube.MockApi;
import dev.zkscale.kube.RecordingDispatcher;
import dev.zkscale.loop.ControlLoop;
import dev.zkscale.loop.DecisionLog;
import dev.zkscale.monitor.DecisionRecord;
import dev.zkscale.monitor.PrometheusMonitor;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
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
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.apache.curator.framework.CuratorFramework;

/**
 * The cost of one pass of the control loop at scale, measured, not asserted (not a test; run by hand): by default
 * 1,000 targets of 10 pods each (10,000 pods and 10,000 PodMetrics) in one namespace, all at their right size, so a
 * pass decides every target and writes nothing.
 *
 * <p>In this JVM: the real loop ({@link ControlLoop} with {@link KubeCluster}, {@link ZkTuningSource},
 * {@link ZkLeadership}, {@link PrometheusMonitor} and a {@link DecisionRecord}) against a mock API server (also in this
 * JVM) and a ZooKeeper server process. For each measured pass it prints the CPU time of the thread that runs the pass
 * ({@code ThreadMXBean}), the CPU time of every thread of this JVM except the mock server's, the wall time, the bytes
 * the pass thread allocated, the requests the mock API server received (watches excluded) and the packets ZooKeeper
 * received. The loop's clock advances 15 s per pass, as at the default sync period, so histories grow as in production.
 * Then, optionally ({@code --process-seconds N}), a real {@code zkscale run} process against the same servers: its
 * resident set size (VmRSS) and CPU per pass over N seconds.
 *
 * <pre>
 * ./mvnw -B package -DskipTests
 * ./mvnw -B -q org.codehaus.mojo:exec-maven-plugin:3.6.4:exec -Dexec.executable=java -Dexec.classpathScope=test \
 *     -Dexec.args="-Xmx2g -Djava.util.logging.manager=org.jboss.logmanager.LogManager -cp %classpath \
 *     dev.zkscale.bench.PassBench --process-seconds 120"
 * </pre>
 *
 * Options: {@code --targets N} (1000), {@code --pods N} (10 per target), {@code --namespaces N} (1; targets are spread
 * over them), {@code --warmup N} (5 passes), {@code --passes N} (10 measured), {@code --record-passes N} (100: passes
 * run before the retained heap is measured, so the decision record is full), {@code --process-seconds N} (0: skip the
 * process), {@code --process-sync D} (the process's sync period, 1s), {@code --java-opts "..."} (the process's JVM
 * options; default none), {@code --record-depth N} (decisions kept per target, in this JVM and the process; 100, the
 * default of {@code zkscale.decision-record-depth}), {@code --record-max-bytes N} (the decision record's budget over
 * all targets, in this JVM and the process; 16777216, the default of {@code zkscale.decision-record-max-bytes}),
 * {@code --managed-fields true} (give each pod the managedFields of a real one; the mock API server lists all pods in
 * one response, as an API server asked without a limit does), {@code --threads} (print the CPU time of every thread),
 * {@code --record false} (the loop records nothing: what recording costs is the difference), {@code --jfr FILE} (a Flight Recorder profile of the measured passes only; add {@code
 * -XX:FlightRecorderOptions:stackdepth=256} to the JVM options for whole stacks).
 */
public final class PassBench {
    private static final Path OUT = Path.of("target", "pass-bench");
    private static final String ROOT = "/bench";
    private static final ResourceDefinitionContext POD_METRICS = new ResourceDefinitionContext.Builder()
            .withGroup("metrics.k8s.io")
            .withVersion("v1beta1")
            .withKind("PodMetrics")
            .withPlural("pods")
            .withNamespaced(true)
            .build();

    private PassBench() {}

    private record Pass(
            long threadCpuNanos,
            long controllerCpuNanos,
            long wallNanos,
            long allocatedBytes,
            int apiRequests,
            long zkPackets,
            Map<String, Long> requestKinds) {}

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new HashMap<>();
        String[] defaults = {
            "--targets",
            "1000",
            "--pods",
            "10",
            "--namespaces",
            "1",
            "--warmup",
            "5",
            "--passes",
            "10",
            "--record-passes",
            "100",
            "--process-seconds",
            "0",
            "--process-sync",
            "1s",
            "--java-opts",
            "",
            "--jfr",
            "",
            "--record-depth",
            "100",
            "--record-max-bytes",
            "16777216",
            "--managed-fields",
            "false",
            "--record",
            "true"
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
        int targets = Integer.parseInt(o.get("--targets"));
        int pods = Integer.parseInt(o.get("--pods"));
        int namespaces = Integer.parseInt(o.get("--namespaces"));
        Files.createDirectories(OUT);

        try (ZooKeeperProcess zookeeper = ZooKeeperProcess.start(OUT, Duration.ofSeconds(30));
                MockApi api = MockApi.start()) {
            long seeding = System.nanoTime();
            seed(api, targets, pods, namespaces, Boolean.parseBoolean(o.get("--managed-fields")));
            System.out.printf(
                    "seeded %d targets, %d pods, %d PodMetrics in %d namespace(s) in %d s%n",
                    targets,
                    targets * pods,
                    targets * pods,
                    namespaces,
                    TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - seeding));

            MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            long heapBefore = heapAfterGc(memory);

            CuratorFramework curator =
                    ZooKeeperClients.start(zookeeper.connectString(), Duration.ofSeconds(10), Duration.ofSeconds(5));
            if (!curator.blockUntilConnected(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("ZooKeeper is not serving");
            }
            writeConfigs(curator, targets, namespaces);
            // Production's request timeout is 5 s (KubernetesClients); the mock server is slower than an API server at
            // listing 10,000 PodMetrics, and its speed is not what is measured here.
            KubernetesClient client = api.server.createClient(b -> b.editOrNewConfig()
                    .withRequestTimeout(60_000)
                    .withConnectionTimeout(3_000)
                    .endConfig());
            KubeCluster cluster = new KubeCluster(client, Set.of());
            long caches = System.nanoTime();
            cluster.start(Duration.ofMinutes(2));
            System.out.printf("caches synced in %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - caches));
            ZkLeadership leadership = new ZkLeadership(curator, ROOT, "bench");
            leadership.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (leadership.epoch().isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no leadership within 30 s");
                }
                Thread.sleep(10);
            }
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            int depth = Integer.parseInt(o.get("--record-depth"));
            long maxBytes = Long.parseLong(o.get("--record-max-bytes"));
            DecisionRecord record = new DecisionRecord(depth, maxBytes);
            SteppedClock clock = new SteppedClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
            PrometheusMonitor monitor = new PrometheusMonitor(registry, leadership, clock);
            ZkTuningSource tuning = new ZkTuningSource(curator, ROOT, 1000);
            tuning.start();
            while (true) {
                try {
                    if (!tuning.targets().isEmpty()) {
                        break;
                    }
                } catch (dev.zkscale.loop.TuningSource.TuningUnavailableException e) {
                    // still loading
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("config cache not loaded within 30 s");
                }
                Thread.sleep(10);
            }
            // --record false: the loop records nothing, to measure what recording costs
            boolean recording = Boolean.parseBoolean(o.get("--record"));
            ControlLoop loop = new ControlLoop(
                    cluster.ports(
                            leadership,
                            tuning,
                            monitor,
                            recording
                                    ? record
                                    : new DecisionLog() {
                                        @Override
                                        public void add(Snapshot snapshot, Decision decision, String write) {}

                                        @Override
                                        public void retain(Set<TargetRef> managed) {}
                                    }),
                    clock,
                    new ControlLoop.Settings(1000, false, Set.of()));

            int warmup = Integer.parseInt(o.get("--warmup"));
            for (int i = 0; i < warmup; i++) {
                clock.advance(Duration.ofSeconds(15));
                loop.pass();
            }
            if (recording) {
                check(record, targets, api);
            }
            long heapWarm = heapAfterGc(memory);

            List<Pass> passes = new ArrayList<>();
            Recording jfr = o.get("--jfr").isEmpty() ? null : new Recording(Configuration.getConfiguration("profile"));
            if (jfr != null) {
                jfr.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(2));
                jfr.start();
            }
            for (int i = 0; i < Integer.parseInt(o.get("--passes")); i++) {
                clock.advance(Duration.ofSeconds(15));
                passes.add(measure(loop, api, zookeeper));
            }
            if (jfr != null) {
                jfr.stop();
                jfr.dump(Path.of(o.get("--jfr")));
                jfr.close();
            }
            int done = warmup + passes.size();
            for (int i = done; i < Integer.parseInt(o.get("--record-passes")); i++) {
                clock.advance(Duration.ofSeconds(15));
                loop.pass();
            }
            long heapFull = heapAfterGc(memory);
            report(passes, targets, pods, namespaces);
            int recorded = Math.max(done, Integer.parseInt(o.get("--record-passes")));
            System.out.printf(
                    "retained heap of the controller (after full GC; the mock server's store excluded): "
                            + "%.1f MiB after %d passes, %.1f MiB after %d passes (decision record depth %d per "
                            + "target%s)%n",
                    mib(heapWarm - heapBefore),
                    warmup,
                    mib(heapFull - heapBefore),
                    recorded,
                    depth,
                    recorded >= depth ? ", full" : ", not yet full");
            int entries = record.targets().stream().mapToInt(record::recorded).sum();
            System.out.printf(
                    "decision record: %d entries, %.1f MiB compressed (%.0f bytes each; budget %.1f MiB)%n",
                    entries, mib(record.bytes()), (double) record.bytes() / entries, mib(maxBytes));
            System.out.printf(
                    "RSS of this JVM (mock server and its store included, so an upper bound only): %s%n",
                    vmRss(ProcessHandle.current().pid()));
            if (threads) {
                printThreads();
            }

            monitor.close();
            leadership.close();
            cluster.close();
            client.close();

            int seconds = Integer.parseInt(o.get("--process-seconds"));
            if (seconds > 0) {
                runProcess(zookeeper, api, seconds, o.get("--process-sync"), o.get("--java-opts"), depth, maxBytes);
            }
            curator.close();
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
     * Puts the deployments, their pods and PodMetrics straight into the mock's store (creating 21,000 objects through
     * its API takes minutes). Usage 45% to 55% of request against a 50% target: within tolerance, so no target scales.
     * With {@code managedFields}, each pod carries the {@link #MANAGED_FIELDS} of a real one.
     */
    private static void seed(MockApi api, int targets, int pods, int namespaces, boolean managedFields) {
        List<ManagedFieldsEntry> fields =
                managedFields ? List.of(Serialization.unmarshal(MANAGED_FIELDS, ManagedFieldsEntry[].class)) : null;
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        for (int t = 0; t < targets; t++) {
            String ns = namespace(t, namespaces);
            String name = name(t);
            Map<String, String> labels = Map.of("app", name, "tier", "web");
            BulkLoad.put(api, "deployments", Fixtures.deployment(ns, name, pods, Map.of("app", name), null));
            for (int p = 0; p < pods; p++) {
                String pod = name + "-" + p;
                int usage = 225 + Math.floorMod(p * 7 + name.hashCode(), 50);
                Pod running = Fixtures.runningPod(ns, pod, labels, "500m");
                running.getMetadata().setManagedFields(fields);
                BulkLoad.put(api, "pods", running);
                BulkLoad.put(api, "pods", Fixtures.podMetrics(ns, pod, labels, now, "30s", Map.of("app", usage + "m")));
            }
        }
    }

    private static void writeConfigs(CuratorFramework curator, int targets, int namespaces) throws Exception {
        byte[] config = "{\"minReplicas\": 1, \"maxReplicas\": 50, \"targetCPUUtilizationPercentage\": 50}"
                .getBytes(StandardCharsets.UTF_8);
        for (int t = 0; t < targets; t++) {
            curator.create()
                    .creatingParentsIfNeeded()
                    .forPath(ROOT + "/targets/" + namespace(t, namespaces) + "/" + name(t), config);
        }
    }

    private static String namespace(int target, int namespaces) {
        return "ns-" + (target % namespaces);
    }

    private static String name(int target) {
        return String.format("t%04d", target);
    }

    /** Every target decided, without error, without a write. */
    private static void check(DecisionRecord record, int targets, MockApi api) {
        long decided = record.targets().size();
        long errors = record.targets().stream()
                .map(record::latest)
                .filter(d -> d.orElseThrow().decision().error() != null)
                .count();
        long writes = api.requests(0, r -> r.method().equals("PATCH")).size();
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

    private static Pass measure(ControlLoop loop, MockApi api, ZooKeeperProcess zookeeper) throws IOException {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long me = Thread.currentThread().getId();
        int mark = api.mark();
        long zk0 = zookeeper.received();
        long controller0 = controllerCpu(threads);
        long alloc0 = threads.getThreadAllocatedBytes(me);
        long cpu0 = threads.getCurrentThreadCpuTime();
        long wall0 = System.nanoTime();
        loop.pass();
        long wall = System.nanoTime() - wall0;
        long cpu = threads.getCurrentThreadCpuTime() - cpu0;
        long alloc = threads.getThreadAllocatedBytes(me) - alloc0;
        long controller = controllerCpu(threads) - controller0;
        // The srvr command itself counts as a packet; leave it out.
        long zk = zookeeper.received() - zk0 - 1;
        List<RecordingDispatcher.Request> requests =
                api.requests(mark, r -> !r.path().contains("watch=true"));
        Map<String, Long> kinds = requests.stream()
                .collect(Collectors.groupingBy(
                        r -> r.method() + " "
                                + r.path().replaceAll("\\?.*", "").replaceAll("/namespaces/[^/]+", "/namespaces/*"),
                        TreeMap::new,
                        Collectors.counting()));
        return new Pass(cpu, controller, wall, alloc, requests.size(), zk, kinds);
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

    private static void report(List<Pass> passes, int targets, int pods, int namespaces) {
        System.out.printf(
                "%none pass over %d targets x %d pods in %d namespace(s), %d passes measured after warm-up "
                        + "(min / median / max):%n",
                targets, pods, namespaces, passes.size());
        line("CPU of the pass thread (ms)", passes, p -> p.threadCpuNanos() / 1e6);
        line("CPU of the controller, all threads (ms)", passes, p -> p.controllerCpuNanos() / 1e6);
        System.out.println(
                "    (this JVM's CPU, GC and JIT included, less the mock API server's threads; the ZooKeeper "
                        + "client's I/O thread and the HTTP client's threads, which read the PodMetrics list, "
                        + "are in it)");
        line("wall time (ms)", passes, p -> p.wallNanos() / 1e6);
        line("allocated by the pass thread (MiB)", passes, p -> p.allocatedBytes() / 1048576.0);
        line("API requests (watches excluded)", passes, p -> (double) p.apiRequests());
        line("ZooKeeper packets received", passes, p -> (double) p.zkPackets());
        System.out.println("API requests of the last pass: "
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
    static long cpuMillis(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // After "pid (comm) ", fields[0] is state (field 3), so utime (field 14) is fields[11], stime fields[12].
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10;
    }

    /** A zkscale run process against the same servers: its RSS and CPU per pass, sampled every 10 s. */
    private static void runProcess(
            ZooKeeperProcess zookeeper,
            MockApi api,
            int seconds,
            String sync,
            String javaOpts,
            int depth,
            long maxBytes)
            throws Exception {
        System.setProperty("zkscale.it.java-opts", javaOpts);
        Map<String, String> settings = Map.of(
                "zkscale.zookeeper.connect", zookeeper.connectString(),
                "zkscale.zookeeper.root", ROOT,
                "zkscale.sync-period", sync,
                "quarkus.kubernetes-client.api-server-url", api.server.url("/"),
                "quarkus.kubernetes-client.request-timeout", "60s",
                "zkscale.decision-record-depth", Integer.toString(depth),
                "zkscale.decision-record-max-bytes", Long.toString(maxBytes));
        try (ZkscaleProcess p = ZkscaleProcess.start("zkscale-run", OUT, settings)) {
            long pid = p.process().pid();
            long start = System.nanoTime();
            System.out.printf(
                    "%nzkscale run (pid %d, JAVA_OPTS \"%s\", sync period %s, decision record depth %d, "
                            + "max bytes %d); log %s%n",
                    pid, javaOpts, sync, depth, maxBytes, p.log());
            System.out.printf(
                    "  %6s %8s %12s %12s %14s %14s%n",
                    "s", "passes", "VmRSS", "CPU (ms)", "CPU/pass (ms)", "requests/pass");
            long lastCpu = -1;
            double lastPasses = 0;
            int lastRequests = 0;
            while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(seconds)) {
                Thread.sleep(10_000);
                if (!p.alive()) {
                    throw new IllegalStateException("zkscale run exited; see " + p.log());
                }
                double count =
                        p.metric("zkscale_decision_duration_seconds_count").orElse(0);
                long cpu = cpuMillis(pid);
                int requests =
                        api.requests(0, r -> !r.path().contains("watch=true")).size();
                String perPass = lastCpu < 0 || count == lastPasses
                        ? "-"
                        : String.format("%.1f", (cpu - lastCpu) / (count - lastPasses));
                String reqPerPass = lastCpu < 0 || count == lastPasses
                        ? "-"
                        : String.format("%.1f", (requests - lastRequests) / (count - lastPasses));
                System.out.printf(
                        "  %6d %8.0f %12s %12d %14s %14s%n",
                        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start),
                        count,
                        vmRss(pid),
                        cpu,
                        perPass,
                        reqPerPass);
                lastCpu = cpu;
                lastPasses = count;
                lastRequests = requests;
            }
            double sum = p.metric("zkscale_decision_duration_seconds_sum").orElse(Double.NaN);
            double count = p.metric("zkscale_decision_duration_seconds_count").orElse(Double.NaN);
            System.out.printf(
                    "  mean pass wall time %.0f ms over %.0f passes; zkscale_leader %s%n",
                    sum / count * 1000, count, p.metric("zkscale_leader"));
        }
    }
}
