package dev.zkscale.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zkscale.app.Controller;
import dev.zkscale.core.TargetConfig;
import dev.zkscale.core.TargetRef;
import dev.zkscale.monitor.DecisionRecord;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
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
 * summary ({@link Narrator}). The parts are assembled by {@link DemoParts}. Exits 0 at the end; on Ctrl-C it stops,
 * prints the summary so far and cleans up.
 */
public final class Demo {
    static final int PASSES = 120;
    static final Duration PASS = Duration.ofSeconds(15);
    static final TargetRef TARGET = new TargetRef(SimulatedWorkload.NAMESPACE, SimulatedWorkload.NAME);
    /** The built-in load and traces peak at this share of maxReplicas pods running at the target. */
    static final double PEAK_SHARE = 0.9;

    private final DemoOptions options;
    private final LoadProfile load;
    private final JsonNode configJson;
    private final TargetConfig config;
    private final SteppedClock clock = new SteppedClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    private final Instant origin = clock.instant();
    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private final StoryStats stats = new StoryStats();
    private final DemoParts parts;
    private final Narrator narrator;
    private volatile boolean interrupted;

    private Demo(DemoOptions options, LoadProfile load, JsonNode configJson, TargetConfig config, PrintStream out) {
        this.options = options;
        this.load = load;
        this.configJson = configJson;
        this.config = config;
        this.parts = new DemoParts(clock, out, options.verbose());
        this.narrator = new Narrator(
                out, clock, config.targetCPUUtilizationPercentage(), options.failover(), stats, parts.instances());
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
            JsonNode json = DemoConfig.json(options.config());
            demo = new Demo(options, load, json, DemoConfig.parse(json, options.config()), out);
        } catch (DemoException e) {
            err.println("zkscale demo: " + e.getMessage());
            return 2;
        }
        Level before = Logger.getLogger("").getLevel();
        Handler console = DemoLogging.start(demo.options.verbose());
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

    // --- the story ---------------------------------------------------------------------------------------------

    private int play() throws DemoException, StartFailure {
        Thread hook = new Thread(this::interrupt, "zkscale-demo-ctrl-c");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            MetricsEndpoint metrics = parts.own(MetricsEndpoint.bind(options.port(), registry));
            narrator.print(
                    "zkscale demo: two zkscale controllers autoscale a simulated Deployment; one leads, the other "
                            + "stands by");
            narrator.print("  metrics         " + metrics.url());
            EmbeddedZooKeeper zookeeper = parts.zooKeeper();
            narrator.print("  ZooKeeper       " + zookeeper.connectString() + " (embedded; data in "
                    + zookeeper.dataDir() + ", removed at exit)");
            CuratorFramework observer = parts.observer(zookeeper, configJson);
            narrator.print("  target config   " + DemoSettings.ROOT + "/targets/" + TARGET + " = " + configJson);
            InProcessApiServer api = parts.own(InProcessApiServer.start());
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
            narrator.print("  Kubernetes API  " + api.url() + " (in-process); Deployment " + TARGET + " with " + initial
                    + " pods, each requesting " + SimulatedWorkload.REQUEST_MILLI + "m CPU");
            WriteAudit audit = new WriteAudit(observer, DemoSettings.ROOT, clock, narrator::written);
            api.dispatcher().listener(audit);
            SharedIndexInformer<Event> events =
                    admin.v1().events().inNamespace(SimulatedWorkload.NAMESPACE).inform(narrator.events());
            parts.own(events::stop);
            double[] demand = {0};
            Gauge.builder("zkscale.demo.load.cores", demand, d -> d[0] / 1000)
                    .description("the simulated CPU demand on the Deployment web, in cores")
                    .register(registry);
            narrator.print(String.format(
                    Locale.ROOT, "  load            %s; peak %.2f cores", load.description(), peakMilli / 1000));

            Duration tick = options.duration().dividedBy(PASSES);
            DemoInstance a = parts.controller("a", zookeeper, api, registry, tick);
            awaitLeader(a);
            DemoInstance b = parts.controller("b", zookeeper, api, registry, tick);
            narrator.print(
                    "  controllers     a and b, each with its own ZooKeeper session and API client; halfway the leader "
                            + (options.failover() == DemoOptions.Failover.CRASH ? "crashes" : "is stopped"));
            narrator.print(String.format(
                    Locale.ROOT,
                    "  time            a pass every %d s of cluster time, every %.2f s of "
                            + "real time (%.0fx); ZooKeeper runs in real time",
                    PASS.toSeconds(),
                    tick.toMillis() / 1000.0,
                    (double) PASS.toMillis() / tick.toMillis()));
            narrator.print("");
            narrator.print("time   load: CPU demand (cores); cpu: utilization the leader measured / target; "
                    + "pods: ready/current -> desired");

            long start = System.nanoTime();
            Instant lastPass = origin.minus(PASS);
            for (int k = 0; k < PASSES && !interrupted; k++) {
                if (k > 0) {
                    clock.advance(PASS);
                }
                Instant now = clock.instant();
                narrator.flush();
                demand[0] = load.at(k) * peakMilli;
                SimulatedWorkload.State state;
                try {
                    state = workload.step(now, lastPass, demand[0]);
                } catch (KubernetesClientException e) {
                    state = workload.last();
                    narrator.print(
                            narrator.time(now) + "  cluster  the simulation could not reach the API server this pass ("
                                    + e.getMessage() + "); it goes on next pass");
                }
                if (k == PASSES / 2) {
                    failover(now, a, b);
                }
                pause(start + tick.toNanos() * k + tick.toNanos() * 2 / 5);
                narrator.pass(now, state, passes(now));
                lastPass = now;
                pause(start + tick.toNanos() * (k + 1));
            }
            narrator.flush();
            if (interrupted) {
                narrator.print(narrator.time(clock.instant()) + "  stop   interrupted: the story ends here");
            }
            narrator.summary(metrics.url(), start, audit.writes());
            return 0;
        } finally {
            parts.close();
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook is running and waits for finished
            }
        }
    }

    private void awaitLeader(DemoInstance instance) throws StartFailure {
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

    private Narrator.Decided passes(Instant now) {
        Narrator.Decided decided = null;
        for (DemoInstance instance : parts.instances()) {
            if (!instance.running) {
                continue;
            }
            OptionalLong epoch = instance.controller.leadership().epoch();
            instance.controller.loop().pass();
            DecisionRecord.Entry last =
                    instance.controller.record().latest(TARGET).orElse(null);
            if (last != null && epoch.isPresent() && last.snapshot().now().equals(now)) {
                decided = new Narrator.Decided(instance.name, epoch.getAsLong(), last);
            }
        }
        return decided;
    }

    // --- the failover ------------------------------------------------------------------------------------------

    private void failover(Instant now, DemoInstance a, DemoInstance b) {
        // The instance that led the last pass (it may be between terms just now, after a brief disconnection).
        DemoInstance leader = b.name.equals(stats.leaderName) ? b : a;
        DemoInstance standby = leader == a ? b : a;
        stats.failoverAt = now;
        stats.deposed = leader.name;
        leader.running = false;
        stats.failoverNanos = System.nanoTime();
        if (options.failover() == DemoOptions.Failover.CRASH) {
            leader.link.cut();
            narrator.print(narrator.time(now) + "  crash  " + leader.name
                    + ", the leader, crashes: its passes stop and its link to "
                    + "ZooKeeper is cut; " + standby.name + " leads once " + leader.name + "'s session expires ("
                    + DemoSettings.SESSION_TIMEOUT.toSeconds() + " s)");
        } else {
            narrator.print(narrator.time(now) + "  stop   " + leader.name
                    + ", the leader, shuts down: it releases the latch and " + standby.name + " leads at once");
            leader.close();
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
}
