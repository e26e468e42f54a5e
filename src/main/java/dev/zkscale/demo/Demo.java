package dev.zkscale.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zkscale.app.Controller;
import dev.zkscale.codec.ConfigCodec;
import dev.zkscale.codec.ConfigNodes;
import dev.zkscale.codec.InvalidInputException;
import dev.zkscale.coordination.ConfigStore;
import dev.zkscale.coordination.ConfigStore.Key;
import dev.zkscale.coordination.ZooKeeperClients;
import dev.zkscale.core.Condition;
import dev.zkscale.core.ConditionType;
import dev.zkscale.core.Decision;
import dev.zkscale.core.TargetConfig;
import dev.zkscale.core.TargetRef;
import dev.zkscale.monitor.DecisionRecord;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;
import org.apache.curator.framework.CuratorFramework;

/**
 * {@code zkscale demo}: the whole system in one process, on embedded parts, telling a story of about two minutes.
 *
 * <p>Real parts: a ZooKeeper server (ZooKeeper's own server classes, on loopback), an HTTP Kubernetes API (the fabric8
 * mock in CRUD mode, answering a failed JSON Patch test with 422), two {@link Controller}s exactly as {@code zkscale
 * run} assembles them (Curator leader latch and epoch, config ZNode, fabric8 informers, fenced JSON Patch writes,
 * Events, Prometheus metrics, the decision code), and {@code /q/metrics}. Simulated: the Deployment's pods and their
 * CPU ({@link SimulatedWorkload}), driven by a load curve or a trace ({@link LoadProfile}).
 *
 * <p>Time: the story is {@value #PASSES} passes, one every {@link #PASS} of cluster time (the HPA's default sync
 * period), so the HPA's windows play out as they would in a cluster; the cluster clock ({@link SteppedClock}) moves one
 * pass at a time, as fast as {@code --duration} asks. ZooKeeper and the failover run in real time.
 *
 * <p>The story: a leads, b stands by; the load ramps up, spikes and falls; halfway a crashes (or stops) and b takes
 * over with a greater epoch. One line per pass, the writes as the API server saw them, the Events as they arrive, and a
 * summary. Exits 0 at the end; on Ctrl-C it stops, prints the summary so far and cleans up.
 */
public final class Demo {
    static final int PASSES = 120;
    static final Duration PASS = Duration.ofSeconds(15);
    static final TargetRef TARGET = new TargetRef(SimulatedWorkload.NAMESPACE, SimulatedWorkload.NAME);
    static final String DEFAULT_CONFIG =
            "{\"minReplicas\": 2, \"maxReplicas\": 10, " + "\"targetCPUUtilizationPercentage\": 60}";
    /** Held, so that its level is not lost with a collected logger. */
    private static final Logger MOCK_SERVER_LOG = Logger.getLogger("io.fabric8.mockwebserver");
    /** The simulation's bound on pods, so that a config cannot ask the demo for a thousand. */
    static final int MAX_PODS = 50;
    /** The built-in load and traces peak at this share of maxReplicas pods running at the target. */
    static final double PEAK_SHARE = 0.9;

    private final DemoOptions options;
    private final LoadProfile load;
    private final JsonNode configJson;
    private final TargetConfig config;
    private final PrintStream out;
    private final SteppedClock clock = new SteppedClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    private final Instant origin = clock.instant();
    private final List<AutoCloseable> open = new ArrayList<>();
    private final Queue<String> pending = new ConcurrentLinkedQueue<>();
    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private final List<Instance> instances = new ArrayList<>();
    private final Stats stats = new Stats();
    private volatile boolean interrupted;
    private WriteAudit audit;
    private long lastLeaderEpoch = -1;
    private String lastLeaderName;

    /** One controller instance of the demo and what it needs of its own: a ZooKeeper link and an API client. */
    private static final class Instance {
        final String name;
        final TcpRelay link;
        final Controller controller;
        volatile boolean running = true;

        Instance(String name, TcpRelay link, Controller controller) {
            this.name = name;
            this.link = link;
            this.controller = controller;
        }
    }

    /** What the summary reports, gathered as the story goes. */
    private static final class Stats {
        int passesRun;
        int passesOverTarget;
        double peakUtilization = -1;
        Instant peakUtilizationAt;
        int peakReplicas;
        Instant peakReplicasAt;
        int lastReplicas;
        int up;
        int down;
        int refused;
        Instant failoverAt;
        long failoverNanos;
        String deposed;
        volatile long takeoverNanos;
        volatile long takeoverEpoch;
        volatile String successor;
        Instant firstSuccessorWrite;
        long lastWriteEpoch = -1;
    }

    private Demo(DemoOptions options, LoadProfile load, JsonNode configJson, TargetConfig config, PrintStream out) {
        this.options = options;
        this.load = load;
        this.configJson = configJson;
        this.config = config;
        this.out = out;
    }

    /**
     * Runs the demo with these options.
     *
     * @return 0 when the story ran to its end; 2 for a bad trace or config file, or a port in use (one line on
     *     {@code err}); 1 when a part could not start
     */
    public static int run(DemoOptions options, PrintStream out, PrintStream err) {
        Demo demo;
        try {
            LoadProfile load =
                    options.trace() == null ? LoadProfile.builtIn(PASSES) : LoadProfile.trace(options.trace(), PASSES);
            JsonNode json = configJson(options.config());
            demo = new Demo(options, load, json, config(json, options.config()), out);
        } catch (DemoException e) {
            err.println("zkscale demo: " + e.getMessage());
            return 2;
        }
        Level before = Logger.getLogger("").getLevel();
        Handler console = logs(demo.options.verbose());
        try {
            return demo.play();
        } catch (DemoException e) {
            err.println("zkscale demo: " + e.getMessage());
            return 2;
        } catch (StartFailure e) {
            err.println("zkscale demo: " + e.getMessage());
            return 1;
        } catch (RuntimeException | Error e) {
            // The logs are off: say it here, or it is said nowhere.
            err.println("zkscale demo: failed: " + e);
            if (demo.options.verbose()) {
                e.printStackTrace(err);
            }
            return 1;
        } finally {
            Logger.getLogger("").setLevel(before);
            if (console != null) {
                Logger.getLogger("").removeHandler(console);
            }
        }
    }

    // --- the config file ---------------------------------------------------------------------------------------

    /** The config file's JSON object (the demo's own config without one), read as {@code zkscale config set} reads it. */
    private static JsonNode configJson(Path file) throws DemoException {
        byte[] data;
        try {
            data = file == null ? DEFAULT_CONFIG.getBytes(StandardCharsets.UTF_8) : Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new DemoException("cannot read config " + file + ": no such file; give a target config (JSON) "
                    + "such as " + DEFAULT_CONFIG);
        } catch (AccessDeniedException e) {
            throw new DemoException("cannot read config " + file + ": permission denied");
        } catch (IOException e) {
            throw new DemoException("cannot read config " + file + ": " + e.getMessage());
        }
        try {
            return ConfigNodes.object(data);
        } catch (InvalidInputException e) {
            throw new DemoException("bad config " + file + ": " + e.getMessage() + "; give a target config (JSON) "
                    + "such as " + DEFAULT_CONFIG);
        }
    }

    /** Validates the config as the controller will read it, and as the demo can run it. */
    private static TargetConfig config(JsonNode json, Path file) throws DemoException {
        String where = file == null ? "the demo's config" : "bad config " + file;
        TargetConfig config;
        try {
            config = ConfigCodec.parse(json, "", TARGET.name());
        } catch (InvalidInputException e) {
            throw new DemoException(
                    where + ": " + e.getMessage() + " (the fields are in the README, \"Target config\")");
        }
        if (!config.kind().equals("Deployment") || !config.workloadName().equals(SimulatedWorkload.NAME)) {
            throw new DemoException(where + ": scaleTargetRef: the demo's workload is Deployment "
                    + SimulatedWorkload.NAME + ", got " + config.kind() + " " + config.workloadName());
        }
        if (config.container() != null && !config.container().equals("app")) {
            throw new DemoException(where + ": container: the demo's pods have one container, \"app\", got \""
                    + config.container() + "\"");
        }
        if (config.maxReplicas() > MAX_PODS) {
            throw new DemoException(where + ": maxReplicas: the demo simulates at most " + MAX_PODS + " pods, got "
                    + config.maxReplicas());
        }
        return config;
    }

    // --- the story ---------------------------------------------------------------------------------------------

    private int play() throws DemoException, StartFailure {
        Thread hook = new Thread(this::interrupt, "zkscale-demo-ctrl-c");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            MetricsEndpoint metrics = own(MetricsEndpoint.bind(options.port(), registry));
            print("zkscale demo: two zkscale controllers autoscale a simulated Deployment; one leads, the other "
                    + "stands by");
            print("  metrics         " + metrics.url());
            EmbeddedZooKeeper zookeeper = own(startZooKeeper());
            print("  ZooKeeper       " + zookeeper.connectString() + " (embedded; data in " + zookeeper.dataDir()
                    + ", removed at exit)");
            CuratorFramework observer =
                    ZooKeeperClients.start(zookeeper.connectString(), Duration.ofSeconds(10), Duration.ofSeconds(5));
            own(observer::close);
            try {
                if (!observer.blockUntilConnected(10, TimeUnit.SECONDS)) {
                    throw new StartFailure(
                            "the embedded ZooKeeper at " + zookeeper.connectString() + " did not answer within 10 s");
                }
                // As `zkscale config set` writes it.
                new ConfigStore(observer, DemoSettings.ROOT)
                        .set(
                                new Key(TARGET.namespace(), TARGET.name()),
                                configJson.toString().getBytes(StandardCharsets.UTF_8),
                                OptionalInt.empty());
                print("  target config   " + DemoSettings.ROOT + "/targets/" + TARGET + " = " + configJson);
            } catch (StartFailure e) {
                throw e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StartFailure("interrupted while starting");
            } catch (Exception e) {
                throw new StartFailure("cannot write the target config to ZooKeeper: " + e.getMessage());
            }
            InProcessApiServer api = own(InProcessApiServer.start());
            // The simulation's requests fail fast: a step that fails is retried as a whole on the next pass.
            KubernetesClient admin = api.client("zkscale-demo/cluster", 0);
            SimulatedWorkload workload = new SimulatedWorkload(admin);
            double peakMilli = PEAK_SHARE
                    * config.maxReplicas()
                    * SimulatedWorkload.REQUEST_MILLI
                    * config.targetCPUUtilizationPercentage()
                    / 100.0;
            // Start steady: as many pods as the first pass's load needs at the target, within the bounds.
            int initial = (int) Math.ceil(load.at(0)
                    * peakMilli
                    / (SimulatedWorkload.REQUEST_MILLI * config.targetCPUUtilizationPercentage() / 100.0));
            initial = Math.max(config.minReplicas(), Math.min(config.maxReplicas(), initial));
            workload.create(initial, clock.instant());
            stats.lastReplicas = initial;
            stats.peakReplicas = initial;
            stats.peakReplicasAt = origin;
            print("  Kubernetes API  " + api.url() + " (in-process); Deployment " + TARGET + " with " + initial
                    + " pods, each requesting " + SimulatedWorkload.REQUEST_MILLI + "m CPU");
            audit = new WriteAudit(observer, DemoSettings.ROOT, clock, this::written);
            api.dispatcher().listener(audit);
            SharedIndexInformer<Event> events =
                    admin.v1().events().inNamespace(SimulatedWorkload.NAMESPACE).inform(new EventPrinter());
            own(events::stop);
            double[] demand = {0};
            Gauge.builder("zkscale.demo.load.cores", demand, d -> d[0] / 1000)
                    .description("the simulated CPU demand on the Deployment web, in cores")
                    .register(registry);
            print(String.format(
                    Locale.ROOT, "  load            %s; peak %.2f cores", load.description(), peakMilli / 1000));

            Duration tick = options.duration().dividedBy(PASSES);
            Instance a = startInstance("a", zookeeper, api, registry, tick);
            awaitLeader(a);
            Instance b = startInstance("b", zookeeper, api, registry, tick);
            print("  controllers     a and b, each with its own ZooKeeper session and API client; halfway the leader "
                    + (options.failover() == DemoOptions.Failover.CRASH ? "crashes" : "is stopped"));
            print(String.format(
                    Locale.ROOT,
                    "  time            a pass every %d s of cluster time, every %.2f s of "
                            + "real time (%.0fx); ZooKeeper runs in real time",
                    PASS.toSeconds(),
                    tick.toMillis() / 1000.0,
                    (double) PASS.toMillis() / tick.toMillis()));
            print("");
            print("time   load: CPU demand (cores); cpu: utilization the leader measured / target; "
                    + "pods: ready/current -> desired");

            long start = System.nanoTime();
            Instant lastPass = origin.minus(PASS);
            for (int k = 0; k < PASSES && !interrupted; k++) {
                if (k > 0) {
                    clock.advance(PASS);
                }
                Instant now = clock.instant();
                flush();
                demand[0] = load.at(k) * peakMilli;
                SimulatedWorkload.State state;
                try {
                    state = workload.step(now, lastPass, demand[0]);
                } catch (KubernetesClientException e) {
                    state = workload.last();
                    print(time(now) + "  cluster  the simulation could not reach the API server this pass ("
                            + e.getMessage() + "); it goes on next pass");
                }
                if (k == PASSES / 2) {
                    failover(now, a, b);
                }
                pause(start + tick.toNanos() * k + tick.toNanos() * 2 / 5);
                report(now, state, passes(now));
                lastPass = now;
                pause(start + tick.toNanos() * (k + 1));
            }
            flush();
            if (interrupted) {
                print(time(clock.instant()) + "  stop   interrupted: the story ends here");
            }
            summary(metrics, start);
            return 0;
        } finally {
            close();
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook is running and waits for finished
            }
        }
    }

    private EmbeddedZooKeeper startZooKeeper() throws StartFailure {
        try {
            return EmbeddedZooKeeper.start();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartFailure("interrupted while starting ZooKeeper");
        } catch (Exception e) {
            throw new StartFailure("cannot start the embedded ZooKeeper server: " + e);
        }
    }

    private Instance startInstance(
            String name,
            EmbeddedZooKeeper zookeeper,
            InProcessApiServer api,
            PrometheusMeterRegistry registry,
            Duration tick)
            throws StartFailure {
        TcpRelay link;
        try {
            link = own(TcpRelay.open(zookeeper.port(), "demo-" + name));
        } catch (IOException e) {
            throw new StartFailure("cannot open a loopback port for controller " + name + ": " + e.getMessage());
        }
        CompositeMeterRegistry tagged = new CompositeMeterRegistry();
        tagged.config().commonTags("controller", name);
        tagged.add(registry);
        Controller controller;
        try {
            controller = Controller.start(
                    DemoSettings.of(link.connectString(), name, tick),
                    api.client(WriteAudit.AGENT_PREFIX + name, 10),
                    tagged,
                    clock);
        } catch (RuntimeException e) {
            throw new StartFailure("controller " + name + " could not start: " + e.getMessage());
        }
        Instance instance = new Instance(name, link, controller);
        own(() -> closeInstance(instance));
        instances.add(instance);
        return instance;
    }

    private void awaitLeader(Instance instance) throws StartFailure {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (instance.controller.leadership().epoch().isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new StartFailure("controller " + instance.name + " did not win the leader latch within 15 s");
            }
            if (sleep(10)) {
                throw new StartFailure("interrupted while starting");
            }
        }
    }

    /** Runs a pass on every running instance; the entry of the one that decided at {@code now}, if any. */
    private Decided passes(Instant now) {
        Decided decided = null;
        for (Instance instance : instances) {
            if (!instance.running) {
                continue;
            }
            OptionalLong epoch = instance.controller.leadership().epoch();
            instance.controller.loop().pass();
            DecisionRecord.Entry last =
                    instance.controller.record().latest(TARGET).orElse(null);
            if (last != null && epoch.isPresent() && last.snapshot().now().equals(now)) {
                decided = new Decided(instance.name, epoch.getAsLong(), last);
            }
        }
        return decided;
    }

    private record Decided(String instance, long epoch, DecisionRecord.Entry entry) {}

    private void report(Instant now, SimulatedWorkload.State state, Decided decided) {
        stats.passesRun++;
        double utilization = state.utilization();
        if (utilization > config.targetCPUUtilizationPercentage()) {
            stats.passesOverTarget++;
        }
        if (utilization > stats.peakUtilization) {
            stats.peakUtilization = utilization;
            stats.peakUtilizationAt = now;
        }
        if (decided != null && decided.epoch() != lastLeaderEpoch) {
            lastLeaderEpoch = decided.epoch();
            lastLeaderName = decided.instance();
            String since = "";
            if (stats.successor != null && decided.epoch() == stats.takeoverEpoch) {
                since = String.format(
                        Locale.ROOT,
                        ", %.2f s (real time) after %s %s",
                        (stats.takeoverNanos - stats.failoverNanos) / 1e9,
                        stats.deposed,
                        options.failover() == DemoOptions.Failover.CRASH ? "crashed" : "stopped");
            } else if (stats.passesRun > 1) {
                since = " (a new term: it had lost the latch)";
            }
            print(time(now) + "  leader " + decided.instance() + " leads with epoch " + decided.epoch() + since);
        }
        String line;
        if (decided == null) {
            String why = noLeader();
            line = String.format(
                    Locale.ROOT,
                    "%s  load %4.2f  cpu %4s/%d%%  pods %2d/%-2d -> %-2s  leader -  " + "epoch -  %s",
                    time(now),
                    state.demandMilli() / 1000,
                    "-",
                    config.targetCPUUtilizationPercentage(),
                    state.readyPods(),
                    state.specReplicas(),
                    "-",
                    why);
        } else {
            Decision d = decided.entry().decision();
            line = String.format(
                    Locale.ROOT,
                    "%s  load %4.2f  cpu %4s/%d%%  pods %2d/%-2d -> %-2d  leader %s  " + "epoch %d  %s",
                    time(now),
                    state.demandMilli() / 1000,
                    d.utilizationPercent() == null ? "-" : d.utilizationPercent() + "%",
                    config.targetCPUUtilizationPercentage(),
                    d.readyPods(),
                    d.currentReplicas(),
                    d.desiredReplicas(),
                    decided.instance(),
                    decided.epoch(),
                    note(decided.entry()));
        }
        print(line.stripTrailing());
        flush();
    }

    /** Why no instance decided this pass. */
    private String noLeader() {
        if (stats.failoverAt != null && stats.successor == null) {
            return "no leader: " + stats.deposed
                    + (options.failover() == DemoOptions.Failover.CRASH
                            ? "'s session has not expired yet"
                            : " is handing over");
        }
        List<String> why = new ArrayList<>();
        for (Instance instance : instances) {
            if (!instance.running) {
                continue;
            }
            if (!instance.controller.leadership().connected()) {
                why.add(instance.name + " is disconnected from ZooKeeper");
            } else if (instance.controller.leadership().holdsLatch()) {
                why.add(instance.name + " holds the latch and is taking an epoch");
            }
        }
        return "no leader" + (why.isEmpty() ? ": the latch is being handed over" : ": " + String.join(", ", why));
    }

    /** Why the size stays or changes, in a few words. */
    private static String note(DecisionRecord.Entry entry) {
        Decision d = entry.decision();
        if (d.error() != null) {
            return "no decision: " + d.error();
        }
        Condition limited = d.condition(ConditionType.ScalingLimited);
        String note = switch (d.outcome().action()) {
            case UP -> "scale up";
            case DOWN -> "scale down";
            case NONE ->
                switch (d.outcome().reason()) {
                    case STABILIZED, AT_MAX_REPLICAS, AT_MIN_REPLICAS, RATE_LIMITED ->
                        (d.recommendedReplicas() < d.currentReplicas() ? "hold: scale-down window" : "hold")
                                + " (the formula says " + d.recommendedReplicas() + ")";
                    default -> "";
                };
        };
        if (limited != null && limited.status()) {
            note += (note.isEmpty() ? "" : "; ") + "limited: " + limited.reason();
        }
        if (entry.write() != null && !entry.write().startsWith("SUCCESS")) {
            note += "; write " + entry.write();
        }
        return note;
    }

    // --- the failover ------------------------------------------------------------------------------------------

    private void failover(Instant now, Instance a, Instance b) {
        // The instance that led the last pass (it may be between terms just now, after a brief disconnection).
        Instance leader = b.name.equals(lastLeaderName) ? b : a;
        Instance standby = leader == a ? b : a;
        stats.failoverAt = now;
        stats.deposed = leader.name;
        leader.running = false;
        stats.failoverNanos = System.nanoTime();
        if (options.failover() == DemoOptions.Failover.CRASH) {
            leader.link.cut();
            print(time(now) + "  crash  " + leader.name + ", the leader, crashes: its passes stop and its link to "
                    + "ZooKeeper is cut; " + standby.name + " leads once " + leader.name + "'s session expires ("
                    + DemoSettings.SESSION_TIMEOUT.toSeconds() + " s)");
        } else {
            print(time(now) + "  stop   " + leader.name + ", the leader, shuts down: it releases the latch and "
                    + standby.name + " leads at once");
            closeInstance(leader);
        }
        Thread watcher = new Thread(
                () -> {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (System.nanoTime() < deadline && !interrupted) {
                        OptionalLong epoch = standby.controller.leadership().epoch();
                        if (epoch.isPresent()) {
                            stats.takeoverNanos = System.nanoTime();
                            stats.takeoverEpoch = epoch.getAsLong();
                            stats.successor = standby.name;
                            return;
                        }
                        if (sleep(5)) {
                            return;
                        }
                    }
                },
                "zkscale-demo-failover");
        watcher.setDaemon(true);
        watcher.start();
    }

    // --- what the API server and the Events say -----------------------------------------------------------------

    /** Called by the audit on the API server's thread, once per scale write. */
    private void written(WriteAudit.Write w) {
        StringBuilder text = new StringBuilder();
        int from;
        synchronized (stats) {
            from = stats.lastReplicas;
            boolean firstOfEpoch = w.epoch() != stats.lastWriteEpoch;
            long previousEpoch = stats.lastWriteEpoch;
            if (w.accepted()) {
                if (w.replicas() > from) {
                    stats.up++;
                } else if (w.replicas() < from) {
                    stats.down++;
                }
                stats.lastReplicas = w.replicas();
                if (w.replicas() > stats.peakReplicas) {
                    stats.peakReplicas = w.replicas();
                    stats.peakReplicasAt = w.time();
                }
                if (w.writer().equals(stats.successor) && stats.firstSuccessorWrite == null) {
                    stats.firstSuccessorWrite = w.time();
                }
                stats.lastWriteEpoch = w.epoch();
            } else {
                stats.refused++;
            }
            text.append(String.format(
                    Locale.ROOT,
                    "%s  write  %s epoch %d: replicas %d -> %d, %s (HTTP %d)",
                    time(w.time()),
                    w.writer(),
                    w.epoch(),
                    from,
                    w.replicas(),
                    w.accepted() ? "accepted" : "refused",
                    w.status()));
            if (w.accepted() && firstOfEpoch) {
                String indent = "\n              ";
                text.append(indent)
                        .append("the first write of epoch ")
                        .append(w.epoch())
                        .append(", a JSON Patch: ")
                        .append(w.patch());
                if (previousEpoch < 0) {
                    text.append(indent)
                            .append("every write is fenced: it tests the resourceVersion it read and "
                                    + "stamps its leader's epoch on the Deployment");
                } else {
                    text.append(indent)
                            .append("fenced: a write that epoch ")
                            .append(previousEpoch)
                            .append(" prepared before this one now fails its resourceVersion test (HTTP 422);")
                            .append(indent)
                            .append("one prepared after it finds epoch ")
                            .append(w.epoch())
                            .append(" on the Deployment and is never sent");
                }
            }
            if (!w.byLeaderOfItsTime()) {
                text.append("\n              WARNING: ZooKeeper says the latch holder was ")
                        .append(w.latchHolder())
                        .append(" and the epoch ")
                        .append(w.epochCounter());
            }
        }
        pending.add(text.toString());
    }

    /** Prints the Deployment's Events as the informer sees them arrive. */
    private final class EventPrinter implements ResourceEventHandler<Event> {
        @Override
        public void onAdd(Event e) {
            pending.add(String.format(
                    "%s  event  %s %s: %s", time(clock.instant()), e.getType(), e.getReason(), e.getMessage()));
        }

        @Override
        public void onUpdate(Event before, Event after) {}

        @Override
        public void onDelete(Event e, boolean deletedFinalStateUnknown) {}
    }

    // --- the end -----------------------------------------------------------------------------------------------

    private void summary(MetricsEndpoint metrics, long start) {
        print("");
        double real = (System.nanoTime() - start) / 1e9;
        print(String.format(
                Locale.ROOT,
                "summary: %s of cluster time in %.0f s",
                time(origin.plus(PASS.multipliedBy(stats.passesRun))),
                real));
        synchronized (stats) {
            print(String.format(
                    Locale.ROOT,
                    "  scale operations  %d accepted (%d up, %d down), %d refused",
                    stats.up + stats.down,
                    stats.up,
                    stats.down,
                    stats.refused));
            print(String.format(
                    Locale.ROOT, "  peak replicas     %d at %s", stats.peakReplicas, time(stats.peakReplicasAt)));
        }
        if (stats.failoverAt == null) {
            print("  failover          none (the story ended before halfway)");
        } else if (stats.successor == null) {
            print("  failover          " + stats.deposed + " left at " + time(stats.failoverAt) + "; no successor yet");
        } else {
            print(String.format(
                    Locale.ROOT,
                    "  failover          %s %s at %s; %s led %.2f s later (real time) with " + "epoch %d%s",
                    stats.deposed,
                    options.failover() == DemoOptions.Failover.CRASH ? "crashed" : "stopped",
                    time(stats.failoverAt),
                    stats.successor,
                    (stats.takeoverNanos - stats.failoverNanos) / 1e9,
                    stats.takeoverEpoch,
                    stats.firstSuccessorWrite == null
                            ? "; it wrote nothing"
                            : "; its first write at " + time(stats.firstSuccessorWrite)));
        }
        print(String.format(
                Locale.ROOT,
                "  time over target  %s of %s (%d%%) above %d%% CPU; peak %.0f%% at %s",
                minutes(stats.passesOverTarget),
                minutes(stats.passesRun),
                stats.passesRun == 0 ? 0 : Math.round(100.0 * stats.passesOverTarget / stats.passesRun),
                config.targetCPUUtilizationPercentage(),
                Math.max(0, stats.peakUtilization),
                stats.peakUtilizationAt == null ? "-" : time(stats.peakUtilizationAt)));
        List<WriteAudit.Write> writes = audit == null ? List.of() : audit.writes();
        long byLeader =
                writes.stream().filter(WriteAudit.Write::byLeaderOfItsTime).count();
        print(String.format(
                Locale.ROOT,
                "  writes            %d of %d came from the leader of their time (the latch "
                        + "holder, with the newest epoch, per ZooKeeper)%s",
                byLeader,
                writes.size(),
                byLeader == writes.size() ? "" : ": VIOLATED"));
        print("  metrics           were at " + metrics.url());
    }

    private String minutes(int passes) {
        long seconds = PASS.toSeconds() * passes;
        return String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
    }

    private void close() {
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception e) {
                if (options.verbose()) {
                    out.println("zkscale demo: closing: " + e);
                }
            }
        }
        open.clear();
    }

    private void closeInstance(Instance instance) {
        instance.running = false;
        instance.controller.close();
    }

    /** Ctrl-C: ends the story at the next step and waits until the demo has cleaned up. */
    private void interrupt() {
        interrupted = true;
        stop.countDown();
        try {
            finished.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // --- helpers -----------------------------------------------------------------------------------------------

    private <T extends AutoCloseable> T own(T resource) {
        open.add(resource);
        return resource;
    }

    private String time(Instant at) {
        long seconds = Duration.between(origin, at).toSeconds();
        return String.format(Locale.ROOT, "%02d:%02d", seconds / 60, seconds % 60);
    }

    private void print(String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }

    private void flush() {
        String line;
        while ((line = pending.poll()) != null) {
            print(line);
        }
    }

    /** Waits until {@code nanoTime} reaches {@code deadline}; true when interrupted by Ctrl-C. */
    private boolean pause(long deadline) {
        long left = deadline - System.nanoTime();
        return left > 0 && sleep(TimeUnit.NANOSECONDS.toMillis(left));
    }

    private boolean sleep(long millis) {
        try {
            return stop.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            interrupted = true;
            return true;
        }
    }

    /**
     * The story is the output: every log is off, unless {@code verbose}, when INFO and above go to standard error
     * (outside the Quarkus runtime nothing else would print them).
     *
     * @return the handler added, to remove at the end, or null
     */
    private static Handler logs(boolean verbose) {
        Logger root = Logger.getLogger("");
        if (!verbose) {
            root.setLevel(Level.OFF);
            return null;
        }
        root.setLevel(Level.INFO);
        // The mock API server logs every request at INFO: thousands of lines that drown the controllers'.
        MOCK_SERVER_LOG.setLevel(Level.WARNING);
        Handler console =
                new StreamHandler(System.err, new Formatter() {
                    @Override
                    public String format(LogRecord r) {
                        String text = formatMessage(r);
                        if (r.getThrown() != null) {
                            text += ": " + r.getThrown();
                        }
                        return String.format(
                                Locale.ROOT,
                                "%tT %-7s [%s] %s%n",
                                r.getMillis(),
                                r.getLevel(),
                                r.getLoggerName(),
                                text);
                    }
                }) {
                    @Override
                    public synchronized void publish(LogRecord record) {
                        super.publish(record);
                        flush();
                    }
                };
        console.setLevel(Level.INFO);
        root.addHandler(console);
        return console;
    }

    /** A part could not start: one line, exit status 1. */
    private static final class StartFailure extends Exception {
        StartFailure(String message) {
            super(message);
        }
    }
}
