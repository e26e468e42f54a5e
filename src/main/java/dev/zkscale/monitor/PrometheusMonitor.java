package dev.zkscale.monitor;

import dev.zkscale.core.Decision;
import dev.zkscale.core.Outcome;
import dev.zkscale.core.PodMetrics;
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
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.prometheus.client.CollectorRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The loop's metrics, exported at {@code /q/metrics}: the global ones as Micrometer meters, the per-target ones as a
 * table rendered at scrape time into each Prometheus registry found in {@code registry} ({@link TargetSeries}: one
 * meter per target and series costs too much at 10,000 targets). Another kind of registry gets only the global meters.
 *
 * <p>Label values come from closed sets: a target's {@code namespace} and {@code target}, a {@code direction}, a
 * {@code result}, an {@link Outcome}'s {@code action} and {@code reason}, {@code tuning_unavailable} or a reason of
 * {@link Outcome#FAILURES}; never a pod name. Counters whose label values are known in advance are created
 * at zero (the global ones at start, a target's write counters at its first decision), so that Prometheus'
 * {@code increase()} sees their first increment. A target's series all go when it is forgotten; {@link #close()}
 * removes every meter and series this instance registered (the registry may outlive it).
 *
 * <p>Threads: the loop calls the {@link Monitor} methods from one thread; scrapes read the volatile values from
 * others. {@code zkscale_target_cpu_sample_age_seconds} is computed at scrape time from {@code clock}, so it keeps
 * growing while no newer sample arrives.
 */
public final class PrometheusMonitor implements Monitor, AutoCloseable {
    private final MeterRegistry registry;
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
    private final TargetSeries series;
    private volatile boolean closed;

    /**
     * Registers the global meters.
     *
     * @param clock the clock the CPU sample age is measured by (the loop's)
     */
    public PrometheusMonitor(MeterRegistry registry, Leadership leadership, Clock clock) {
        this.registry = registry;
        this.passes = Timer.builder("zkscale.decision.duration")
                .description("one pass of the control loop")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(1))
                .register(registry);
        global.add(passes);
        Gauge leader = Gauge.builder(
                        "zkscale.leader", leadership, l -> l.epoch().isPresent() ? 1 : 0)
                .description("1 on the instance that holds the leader latch (with a current epoch), else 0")
                .register(registry);
        global.add(leader);
        // The leader gauge has no tags of its own: what it carries are the registry's common tags.
        series = new TargetSeries(clock, leader.getId().getTagsAsIterable(), prometheus(registry));
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
        TargetSeries.Row s = config(target);
        if (s != null) {
            s.configRejected = rejected ? 1 : 0;
        }
    }

    @Override
    public void configRejected(TargetRef target) {
        TargetSeries.Row s = config(target);
        if (s != null) {
            s.rejected();
        }
    }

    @Override
    public void decided(Snapshot snapshot, Decision decision) {
        TargetSeries.Row s = row(snapshot.target());
        if (s == null) {
            return;
        }
        TargetConfig config = snapshot.config();
        s.current = decision.currentReplicas();
        s.desired = decision.desiredReplicas();
        s.recommended = decision.recommendedReplicas() == null ? Double.NaN : decision.recommendedReplicas();
        s.policyRecommended =
                decision.policy() == null ? Double.NaN : decision.policy().replicas();
        if (decision.policy() != null) {
            // A policy's recommendation beside the HPA's, active or shadow: what it would write, for comparison.
            s.policy = decision.policy().type();
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
        s.decided = true;
        outcome(s, decision.outcome());
    }

    @Override
    public void skipped(TargetRef target, Outcome outcome) {
        TargetSeries.Row s = row(target);
        if (s != null) {
            outcome(s, outcome);
        }
    }

    @Override
    public void scaleWrite(TargetRef target, boolean up, ScaleWriter.WriteResult.Result result) {
        TargetSeries.Row s = row(target);
        if (s != null) {
            s.write(up, result);
            s.decided = true;
        }
    }

    @Override
    public void configVersion(TargetRef target, int version) {
        TargetSeries.Row s = row(target);
        if (s != null) {
            s.configVersion = version;
            s.versioned = true;
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
        series.forget(target);
    }

    @Override
    public void close() {
        closed = true;
        series.close();
        global.forEach(registry::remove);
    }

    private TargetSeries.Row row(TargetRef target) {
        return closed ? null : series.row(target);
    }

    /** The target's row with its config series shown. */
    private TargetSeries.Row config(TargetRef target) {
        TargetSeries.Row s = row(target);
        if (s != null) {
            s.config = true;
        }
        return s;
    }

    /** Counts the outcome and shows it as the target's last decision. */
    private void outcome(TargetSeries.Row s, Outcome outcome) {
        outcomes.get(outcome).increment();
        s.outcome = outcome;
    }

    /** The Prometheus registries of {@code registry}: itself, or those a composite holds, at any depth. */
    private static List<CollectorRegistry> prometheus(MeterRegistry registry) {
        if (registry instanceof PrometheusMeterRegistry p) {
            return List.of(p.getPrometheusRegistry());
        }
        List<CollectorRegistry> found = new ArrayList<>();
        if (registry instanceof CompositeMeterRegistry composite) {
            composite.getRegistries().forEach(r -> found.addAll(prometheus(r)));
        }
        return found;
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
}
