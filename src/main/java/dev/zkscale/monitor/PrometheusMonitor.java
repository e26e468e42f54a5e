package dev.zkscale.monitor;

import dev.zkscale.core.Decision;
import dev.zkscale.core.Outcome;
import dev.zkscale.core.PodMetrics;
import dev.zkscale.core.Policy;
import dev.zkscale.core.Snapshot;
import dev.zkscale.core.TargetConfig;
import dev.zkscale.core.TargetRef;
import dev.zkscale.loop.DecisionState;
import dev.zkscale.loop.Leadership;
import dev.zkscale.loop.Monitor;
import dev.zkscale.loop.ScaleWriter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;

/**
 * The loop's metrics in Micrometer, exported at {@code /q/metrics}.
 *
 * <p>Label values come from closed sets: a target's {@code namespace} and {@code target}, a {@code direction}, a
 * {@code result}, an {@link Outcome}'s {@code action} and {@code reason}, {@code tuning_unavailable} or a reason of
 * {@link Outcome#FAILURES}; never a pod name. Counters whose label values are known in advance are created
 * at zero (the global ones at start, a target's write counters at its first decision), so that Prometheus'
 * {@code increase()} sees their first increment. A target's series all go when it is forgotten; {@link #close()}
 * removes every meter this instance registered (the registry may outlive it).
 *
 * <p>Threads: the loop calls the {@link Monitor} methods from one thread; scrapes read the gauges' volatile values from
 * others. {@code zkscale_target_cpu_sample_age_seconds} is computed at scrape time from {@code clock}, so it keeps
 * growing while no newer sample arrives.
 */
public final class PrometheusMonitor implements Monitor, AutoCloseable {
    private final MeterRegistry registry;
    private final Clock clock;
    private final Timer passes;
    private final List<Meter> global = new ArrayList<>();
    private final Counter tuningUnavailable;
    private final Counter unreadableMetrics;
    private final Map<Outcome.Reason, Counter> failures = new EnumMap<>(Outcome.Reason.class);
    private final Map<Outcome, Counter> outcomes = new HashMap<>();
    private final Map<ScaleWriter.WriteResult.Result, Counter> stamps;
    private final Map<Monitor.ForeignEpoch, Counter> foreignEpochs;
    private final Map<Monitor.Conflict, Counter> conflicts = new EnumMap<>(Monitor.Conflict.class);
    private final Map<DecisionState.Failure, Counter> stateLoads = new EnumMap<>(DecisionState.Failure.class);
    private final Map<DecisionState.Failure, Counter> stateSaves = new EnumMap<>(DecisionState.Failure.class);
    private final Map<TargetRef, Series> series = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** A gauge of each target: name, base unit (or null), help, and the value it reads from the target's series. */
    private record TargetGauge(String name, String unit, String help, ToDoubleFunction<Series> value) {}

    private static final TargetGauge CONFIG_REJECTED = new TargetGauge(
            "zkscale.target.config.rejected",
            null,
            "1 while the target's config ZNode is rejected (the last good config, if any, is in use), else 0",
            s -> s.configRejected);
    private static final TargetGauge CONFIG_VERSION = new TargetGauge(
            "zkscale.config.version",
            null,
            "the data version of the target's config ZNode in force",
            s -> s.configVersion);
    /** The gauges a target gets at its first decision (with its write counters and the HPA's recommendation). */
    private final List<TargetGauge> decisionGauges = List.of(
            new TargetGauge(
                    "zkscale.target.current.replicas", null, "spec replicas seen at the last decision", s -> s.current),
            new TargetGauge("zkscale.target.desired.replicas", null, "replicas decided", s -> s.desired),
            new TargetGauge(
                    "zkscale.target.cpu.utilization.percent",
                    null,
                    "current CPU utilization, percent of request (NaN when no decision could be made)",
                    s -> s.utilization),
            new TargetGauge("zkscale.target.cpu.target.percent", null, "configured target utilization", s -> s.target),
            new TargetGauge("zkscale.target.min.replicas", null, "configured minReplicas", s -> s.min),
            new TargetGauge("zkscale.target.max.replicas", null, "configured maxReplicas (capped)", s -> s.max),
            new TargetGauge(
                    "zkscale.target.cpu.sample.age",
                    "seconds",
                    "age of the newest CPU sample the last decisions saw (NaN before the first)",
                    this::sampleAge));

    /** One target's values and the meters that read them, registered group by group as they become meaningful. */
    private static final class Series {
        volatile double current = Double.NaN;
        volatile double desired = Double.NaN;
        volatile double recommended = Double.NaN;
        volatile double policyRecommended = Double.NaN;
        Policy.Type policyMeter;
        volatile double utilization = Double.NaN;
        volatile double target = Double.NaN;
        volatile double min = Double.NaN;
        volatile double max = Double.NaN;
        volatile Instant newestSample;
        volatile double configRejected;
        volatile double configVersion = Double.NaN;
        boolean versionMeter;
        boolean decisionMeters;
        Counter rejections;
        final Map<ScaleWriter.WriteResult.Result, Counter> ups = new EnumMap<>(ScaleWriter.WriteResult.Result.class);
        final Map<ScaleWriter.WriteResult.Result, Counter> downs = new EnumMap<>(ScaleWriter.WriteResult.Result.class);
        Outcome outcome;
        Meter.Id outcomeMeter;
        final Set<Meter.Id> meters = ConcurrentHashMap.newKeySet();
    }

    /**
     * Registers the global meters.
     *
     * @param clock the clock the CPU sample age is measured by (the loop's)
     */
    public PrometheusMonitor(MeterRegistry registry, Leadership leadership, Clock clock) {
        this.registry = registry;
        this.clock = clock;
        this.passes = Timer.builder("zkscale.decision.duration")
                .description("one pass of the control loop")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(1))
                .register(registry);
        global.add(passes);
        global.add(Gauge.builder("zkscale.leader", leadership, l -> l.epoch().isPresent() ? 1 : 0)
                .description("1 on the instance that holds the leader latch (with a current epoch), else 0")
                .register(registry));
        global.add(
                Gauge.builder("zkscale.leader.epoch", leadership, l -> l.epoch().orElse(0))
                        .description("the epoch of this instance's leadership term, 0 when it does not lead")
                        .register(registry));
        global.add(Gauge.builder("zkscale.zookeeper.connected", leadership, l -> l.connected() ? 1 : 0)
                .description("1 while the ZooKeeper session is connected")
                .register(registry));
        global.add(FunctionCounter.builder("zkscale.epoch.counter.errors", leadership, Leadership::counterErrors)
                .description("times the epoch counter was unusable: not a number, at its maximum, access refused")
                .register(registry));
        stamps = counters(
                "zkscale.fence.stamps",
                "takeover stamps of a leader's epoch on its targets, by result",
                "result",
                ScaleWriter.WriteResult.Result.class);
        foreignEpochs = counters(
                "zkscale.foreign.epochs",
                "targets found carrying an epoch above the leader's, by what the leader did",
                "outcome",
                Monitor.ForeignEpoch.class);
        tuningUnavailable = failures("tuning_unavailable");
        unreadableMetrics = Counter.builder("zkscale.podmetrics.unreadable")
                .description("PodMetrics items that could not be read and were left out (their pods had no metrics)")
                .register(registry);
        global.add(unreadableMetrics);
        for (Outcome.Reason reason : Outcome.FAILURES) {
            failures.put(reason, failures(reason.label()));
        }
        for (Monitor.Conflict kind : Monitor.Conflict.values()) {
            Counter c = Counter.builder("zkscale.conflicts")
                    .description("passes that found another writer of a target's replicas, by kind: an HPA on the"
                            + " workload (each pass it holds zkscale's writes back), or a change by someone else")
                    .tag("kind", kind.label())
                    .register(registry);
            conflicts.put(kind, c);
            global.add(c);
        }
        for (Outcome o : Outcome.ALL) {
            Counter c = Counter.builder("zkscale.decisions")
                    .description("decisions of all targets by action and reason")
                    .tag("action", o.action().label())
                    .tag("reason", o.reason().label())
                    .register(registry);
            outcomes.put(o, c);
            global.add(c);
        }
        for (DecisionState.Failure f : DecisionState.Failure.values()) {
            stateLoads.put(f, stateCounter("zkscale.state.load.failures", "targets started cold at takeover", f));
            if (f != DecisionState.Failure.MISSING && f != DecisionState.Failure.CORRUPT) {
                stateSaves.put(f, stateCounter("zkscale.state.save.failures", "failed saves of the decision state", f));
            }
        }
    }

    private Counter stateCounter(String name, String description, DecisionState.Failure failure) {
        Counter c = Counter.builder(name)
                .description(description + ", by reason")
                .tag("reason", failure.label())
                .register(registry);
        global.add(c);
        return c;
    }

    /** Exports what the record could not keep up with as {@code zkscale_decision_record_dropped_total}. */
    public void export(DecisionRecord record) {
        global.add(FunctionCounter.builder("zkscale.decision.record.dropped", record, DecisionRecord::dropped)
                .description("decisions left out of the decision record because its recorder was behind")
                .register(registry));
    }

    /** One global counter per value of {@code type}, labelled {@code tag} with the value in lower case. */
    private <E extends Enum<E>> Map<E, Counter> counters(String name, String description, String tag, Class<E> type) {
        Map<E, Counter> counters = new EnumMap<>(type);
        for (E value : type.getEnumConstants()) {
            Counter c = Counter.builder(name)
                    .description(description)
                    .tag(tag, value.name().toLowerCase(Locale.ROOT))
                    .register(registry);
            counters.put(value, c);
            global.add(c);
        }
        return counters;
    }

    private Counter failures(String reason) {
        Counter c = Counter.builder("zkscale.metrics.errors")
                .description("passes where a target could not be decided (or no target could), by reason")
                .tag("reason", reason)
                .register(registry);
        global.add(c);
        return c;
    }

    @Override
    public void configRead(TargetRef target, boolean rejected) {
        Series s = config(target);
        if (s != null) {
            s.configRejected = rejected ? 1 : 0;
        }
    }

    @Override
    public void configRejected(TargetRef target) {
        Series s = config(target);
        if (s != null) {
            s.configRejected = 1;
            s.rejections.increment();
        }
    }

    @Override
    public void decided(Snapshot snapshot, Decision decision) {
        Series s = series(snapshot.target());
        if (s == null) {
            return;
        }
        TargetConfig config = snapshot.config();
        if (!s.decisionMeters) {
            registerDecisionMeters(snapshot.target(), s);
        }
        s.current = decision.currentReplicas();
        s.desired = decision.desiredReplicas();
        s.recommended = decision.recommendedReplicas() == null ? Double.NaN : decision.recommendedReplicas();
        s.policyRecommended =
                decision.policy() == null ? Double.NaN : decision.policy().replicas();
        if (decision.policy() != null && s.policyMeter != decision.policy().type()) {
            // A policy's recommendation beside the HPA's, active or shadow: what it would write, for comparison.
            s.policyMeter = decision.policy().type();
            s.meters.add(recommended(snapshot.target(), s.policyMeter.name(), s, x -> x.policyRecommended));
        }
        s.utilization = decision.utilizationPercent() == null ? Double.NaN : decision.utilizationPercent();
        s.target = config.targetCPUUtilizationPercentage();
        s.min = config.minReplicas();
        s.max = config.maxReplicas();
        Instant newest = newest(snapshot.podMetrics());
        // A pass without samples (the metrics API is down) keeps the last one: its age is what an operator wants.
        if (newest != null && (s.newestSample == null || newest.isAfter(s.newestSample))) {
            s.newestSample = newest;
        }
        outcome(snapshot.target(), s, decision.outcome());
    }

    @Override
    public void skipped(TargetRef target, Outcome outcome) {
        Series s = series(target);
        if (s != null) {
            outcome(target, s, outcome);
        }
    }

    @Override
    public void scaleWrite(TargetRef target, boolean up, ScaleWriter.WriteResult.Result result) {
        Series s = series(target);
        if (s == null) {
            return;
        }
        if (!s.decisionMeters) {
            registerDecisionMeters(target, s);
        }
        (up ? s.ups : s.downs).get(result).increment();
    }

    @Override
    public void configVersion(TargetRef target, int version) {
        Series s = series(target);
        if (s == null) {
            return;
        }
        s.configVersion = version;
        if (!s.versionMeter) {
            s.versionMeter = true;
            s.meters.add(gauge(CONFIG_VERSION, tags(target), s));
        }
    }

    @Override
    public void conflict(Monitor.Conflict kind) {
        conflicts.get(kind).increment();
    }

    /**
     * Registers {@code zkscale_events_dropped_total}, read from {@code dropped} at scrape time: the Events that were
     * not sent because the queue was full.
     */
    public void eventsDropped(LongSupplier dropped) {
        global.add(FunctionCounter.builder("zkscale.events.dropped", dropped, d -> d.getAsLong())
                .description("Events not sent because the Event queue was full")
                .register(registry));
    }

    @Override
    public void decisionFailed(Outcome.Reason reason) {
        Counter c = failures.get(reason);
        (c == null ? failures.get(Outcome.Reason.OTHER) : c).increment();
    }

    @Override
    public void stamp(ScaleWriter.WriteResult.Result result) {
        stamps.get(result).increment();
    }

    @Override
    public void foreignEpoch(Monitor.ForeignEpoch outcome) {
        foreignEpochs.get(outcome).increment();
    }

    @Override
    public void metricsUnreadable(int items) {
        unreadableMetrics.increment(items);
    }

    @Override
    public void tuningUnavailable() {
        tuningUnavailable.increment();
    }

    @Override
    public void stateLoadFailed(DecisionState.Failure failure, int targets) {
        stateLoads.get(failure).increment(targets);
    }

    @Override
    public void stateSaveFailed(DecisionState.Failure failure) {
        stateSaves.get(failure).increment();
    }

    @Override
    public void pass(Duration duration) {
        passes.record(duration);
    }

    @Override
    public void forget(TargetRef target) {
        Series s = series.remove(target);
        if (s != null) {
            s.meters.forEach(registry::remove);
        }
    }

    @Override
    public void close() {
        closed = true;
        series.keySet().forEach(this::forget);
        global.forEach(registry::remove);
    }

    private Series series(TargetRef target) {
        return closed ? null : series.computeIfAbsent(target, t -> new Series());
    }

    /** The target's series with its config meters registered. */
    private Series config(TargetRef target) {
        Series s = series(target);
        if (s != null && s.rejections == null) {
            Tags tags = tags(target);
            s.rejections = Counter.builder("zkscale.config.rejected")
                    .description("invalid config ZNodes seen")
                    .tags(tags)
                    .register(registry);
            s.meters.add(s.rejections.getId());
            s.meters.add(gauge(CONFIG_REJECTED, tags, s));
        }
        return s;
    }

    private void registerDecisionMeters(TargetRef target, Series s) {
        Tags tags = tags(target);
        for (TargetGauge g : decisionGauges) {
            s.meters.add(gauge(g, tags, s));
        }
        s.meters.add(recommended(target, "HPA", s, x -> x.recommended));
        for (ScaleWriter.WriteResult.Result result : ScaleWriter.WriteResult.Result.values()) {
            s.ups.put(result, writes(tags, "up", result, s));
            s.downs.put(result, writes(tags, "down", result, s));
        }
        s.decisionMeters = true;
    }

    private Counter writes(Tags tags, String direction, ScaleWriter.WriteResult.Result result, Series s) {
        Counter c = Counter.builder("zkscale.scale.operations")
                .description("scale writes by direction and result")
                .tags(tags)
                .tag("direction", direction)
                .tag("result", result.name().toLowerCase(Locale.ROOT))
                .register(registry);
        s.meters.add(c.getId());
        return c;
    }

    /** Counts the outcome and moves the target's one last-decision series to its labels. */
    private void outcome(TargetRef target, Series s, Outcome outcome) {
        outcomes.get(outcome).increment();
        if (!outcome.equals(s.outcome)) {
            if (s.outcomeMeter != null) {
                registry.remove(s.outcomeMeter);
                s.meters.remove(s.outcomeMeter);
            }
            s.outcome = outcome;
            s.outcomeMeter = Gauge.builder("zkscale.target.last.decision", () -> 1)
                    .description("1, labelled with the action and reason of the target's last decision")
                    .tags(tags(target))
                    .tag("action", outcome.action().label())
                    .tag("reason", outcome.reason().label())
                    .register(registry)
                    .getId();
            s.meters.add(s.outcomeMeter);
        }
    }

    private double sampleAge(Series s) {
        Instant newest = s.newestSample;
        return newest == null
                ? Double.NaN
                : Duration.between(newest, clock.instant()).toMillis() / 1000.0;
    }

    private static Instant newest(List<PodMetrics> samples) {
        Instant newest = null;
        for (PodMetrics m : samples) {
            if (m.timestamp() != null && (newest == null || m.timestamp().isAfter(newest))) {
                newest = m.timestamp();
            }
        }
        return newest;
    }

    /** One algorithm's proposal (the HPA formula's, or a policy's) before stabilization, rate limits and bounds. */
    private Meter.Id recommended(TargetRef target, String algorithm, Series s, ToDoubleFunction<Series> f) {
        return gauge(
                new TargetGauge(
                        "zkscale.target.recommended.replicas",
                        null,
                        "an algorithm's proposal before stabilization, rate limits and bounds (NaN when none was"
                                + " computed)",
                        f),
                tags(target).and("algorithm", algorithm),
                s);
    }

    private Meter.Id gauge(TargetGauge g, Tags tags, Series s) {
        return Gauge.builder(g.name(), s, g.value())
                .description(g.help())
                .baseUnit(g.unit())
                .tags(tags)
                .register(registry)
                .getId();
    }

    private static Tags tags(TargetRef target) {
        return Tags.of("namespace", target.namespace(), "target", target.name());
    }
}
