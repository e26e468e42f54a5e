package dev.zkscale.loop;

import dev.zkscale.core.ConditionType;
import dev.zkscale.core.Decider;
import dev.zkscale.core.Decision;
import dev.zkscale.core.History;
import dev.zkscale.core.Mode;
import dev.zkscale.core.Outcome;
import dev.zkscale.core.PodMetrics;
import dev.zkscale.core.Snapshot;
import dev.zkscale.core.TargetConfig;
import dev.zkscale.core.TargetRef;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * One pass of the controller, run every sync period by one thread (passes never overlap): gate on leadership,
 * observe each managed target, decide, gate again, write, record. Only the leader decides and writes; each write
 * carries the leader's epoch so that the API server refuses a deposed leader's late write.
 *
 * <p>What the loop remembers between passes is the in-memory state the upstream HPA controller keeps: each target's
 * decision history (lost when leadership changes hands, as upstream loses it on failover), and what it already
 * reported: warnings, rejected configs, the config in force. The last good config is the {@link TuningSource}'s to
 * keep. Bad input never ends a pass: each target fails alone.
 *
 * <p>Reasons counted when no decision can be made: {@link Outcome#FAILURES}. Each pass ends with a heartbeat,
 * {@link #lastPass()}, a follower's too: the liveness check reads it.
 */
public final class ControlLoop {
    private static final Logger LOG = Logger.getLogger(ControlLoop.class);

    private final Cluster cluster;
    private final Leadership leadership;
    private final TuningSource tuning;
    private final Monitor monitor;
    private final DecisionRecord record;
    private final Clock clock;
    private final Settings settings;

    private final Map<TargetRef, TargetState> states = new HashMap<>();
    private long term = -1;
    private volatile Instant lastPass;

    /**
     * Controller-wide settings.
     *
     * @param maxReplicasCeiling caps every target's maxReplicas, hence every write
     * @param dryRun decide and record, never write
     * @param namespaces the namespaces managed; empty means all
     */
    public record Settings(int maxReplicasCeiling, boolean dryRun, Set<String> namespaces) {
        public Settings {
            namespaces = Set.copyOf(namespaces);
        }
    }

    private static final class TargetState {
        TuningSource.Applied applied;
        TuningSource.Rejected rejected;
        History history;
        String warning;
    }

    public ControlLoop(
            Cluster cluster,
            Leadership leadership,
            TuningSource tuning,
            Monitor monitor,
            DecisionRecord record,
            Clock clock,
            Settings settings) {
        this.cluster = cluster;
        this.leadership = leadership;
        this.tuning = tuning;
        this.monitor = monitor;
        this.record = record;
        this.clock = clock;
        this.settings = settings;
    }

    /** Runs one pass. Never throws: a failing target or source is reported and the pass goes on or ends early. */
    public void pass() {
        long started = System.nanoTime();
        try {
            OptionalLong epoch = leadership.epoch();
            if (epoch.isEmpty() || epoch.getAsLong() != term) {
                // A new term (or none): upstream keeps decision history in memory only, so it starts afresh.
                states.values().forEach(s -> s.history = null);
                term = epoch.orElse(-1);
            }
            if (epoch.isEmpty()) {
                // A follower shows no per-target series: they would be stale figures of a past term.
                states.keySet().forEach(monitor::forget);
                return;
            }
            List<TuningSource.Tuning> tunings;
            try {
                tunings = tuning.targets();
            } catch (TuningSource.TuningUnavailableException e) {
                LOG.warnf("no pass: the target configs cannot be read: %s", e.getMessage());
                monitor.tuningUnavailable();
                return;
            }
            Map<String, Cluster.NamespaceMetrics> metrics = new HashMap<>();
            Map<String, String> metricsErrors = new HashMap<>();
            Set<TargetRef> managed = new HashSet<>();
            for (TuningSource.Tuning t : tunings) {
                if (!settings.namespaces().isEmpty()
                        && !settings.namespaces().contains(t.target().namespace())) {
                    continue;
                }
                TargetState state = states.computeIfAbsent(t.target(), k -> new TargetState());
                TargetConfig config = accept(t, state);
                if (config == null) {
                    continue;
                }
                managed.add(t.target());
                if (config.mode() == Mode.Paused) {
                    monitor.skipped(t.target(), Outcome.none(Outcome.Reason.PAUSED));
                    continue;
                }
                if (!decide(
                        t.target(),
                        config.cappedAt(settings.maxReplicasCeiling()),
                        state,
                        epoch.getAsLong(),
                        metrics,
                        metricsErrors)) {
                    break;
                }
            }
            forgetGone(managed, tunings);
        } catch (RuntimeException e) {
            LOG.errorf(e, "pass failed unexpectedly; the next pass starts afresh");
        } finally {
            monitor.pass(Duration.ofNanos(System.nanoTime() - started));
            lastPass = clock.instant();
        }
    }

    /** When the last pass ended (by the loop's clock), or null before the first: proof that the loop is alive. */
    public Instant lastPass() {
        return lastPass;
    }

    /**
     * The config in force, or null when the target has none. Reports a rejection once per rejected version and reason
     * (a defaults change can reject an unchanged target ZNode), and a config taking effect once.
     */
    private TargetConfig accept(TuningSource.Tuning t, TargetState state) {
        TargetRef target = t.target();
        monitor.configRead(target, t.rejected() != null);
        TuningSource.Applied applied = t.applied();
        TargetConfig known = applied == null ? null : applied.config();
        if (t.rejected() != null && !t.rejected().equals(state.rejected)) {
            monitor.configRejected(target);
            LOG.warnf(
                    "config of %s rejected (version %d), %s: %s",
                    target,
                    t.rejected().version(),
                    known == null ? "target stays unmanaged" : "keeping the config in force",
                    t.rejected().error());
            cluster.event(
                    target.namespace(),
                    known == null ? "Deployment" : known.kind(),
                    known == null ? target.name() : known.workloadName(),
                    true,
                    "InvalidConfig",
                    t.rejected().error());
        }
        state.rejected = t.rejected();
        if (applied != null) {
            monitor.configVersion(target, applied.version());
        }
        if (applied != null && !applied.equals(state.applied)) {
            String message = "config version " + applied.version() + " applied (" + applied.origin() + "): minReplicas "
                    + known.minReplicas() + ", maxReplicas " + known.maxReplicas() + ", targetCPUUtilizationPercentage "
                    + known.targetCPUUtilizationPercentage() + ", mode " + known.mode();
            LOG.infof("config of %s: %s", target, message);
            cluster.event(target.namespace(), known.kind(), known.workloadName(), false, "ConfigApplied", message);
        }
        state.applied = applied;
        return known;
    }

    /** Decides one target and writes if needed; false when leadership was lost and the pass must stop. */
    private boolean decide(
            TargetRef target,
            TargetConfig config,
            TargetState state,
            long epoch,
            Map<String, Cluster.NamespaceMetrics> metrics,
            Map<String, String> metricsErrors) {
        String ns = target.namespace();
        Workload workload =
                cluster.workload(ns, config.kind(), config.workloadName()).orElse(null);
        if (workload == null) {
            monitor.skipped(target, Outcome.none(Outcome.Reason.WORKLOAD_MISSING));
            warn(
                    target,
                    config,
                    state,
                    Outcome.Reason.WORKLOAD_MISSING,
                    "FailedGetScale",
                    config.kind().toLowerCase() + "s.apps \"" + config.workloadName() + "\" not found");
            return true;
        }
        if (workload.selector().isEmpty()) {
            monitor.skipped(target, Outcome.none(Outcome.Reason.SELECTOR_MISSING));
            warn(target, config, state, Outcome.Reason.SELECTOR_MISSING, "SelectorRequired", "selector is required");
            return true;
        }
        if (!metrics.containsKey(ns) && !metricsErrors.containsKey(ns)) {
            try {
                metrics.put(ns, cluster.podMetrics(ns));
            } catch (Cluster.MetricsUnavailableException e) {
                metricsErrors.put(ns, e.getMessage());
            }
        }
        List<PodMetrics> podMetrics = metrics.containsKey(ns) ? metrics.get(ns).select(workload) : List.of();
        Instant now = clock.instant();
        Snapshot snapshot = new Snapshot(
                now,
                target,
                config,
                workload.specReplicas(),
                workload.statusReplicas(),
                cluster.pods(workload),
                podMetrics,
                metricsErrors.get(ns),
                state.history);
        Decision decision = Decider.decide(snapshot);
        monitor.decided(snapshot, decision);
        if (decision.error() != null) {
            // As upstream, the Event carries the reason of the ScalingActive condition the failure set.
            String reason =
                    decision.condition(ConditionType.ScalingActive).reason().name();
            warn(target, config, state, decision.outcome().reason(), reason, decision.error());
        } else {
            state.warning = null;
        }
        // Scale events are remembered only once a write succeeds; recommendations in any case, as upstream.
        state.history = decision.historyBeforeWrite();
        String write = null;
        if (decision.rescale()) {
            if (settings.dryRun() || config.mode() == Mode.DryRun) {
                write = "dry run: not written";
                LOG.infof(
                        "dry run target=%s from=%d to=%d reason=\"%s\"",
                        target, decision.currentReplicas(), decision.desiredReplicas(), decision.reason());
            } else {
                OptionalLong still = leadership.epoch();
                if (still.isEmpty() || still.getAsLong() != epoch) {
                    record.add(new DecisionRecord.Entry(snapshot, decision, "not written: leadership lost"));
                    LOG.infof("leadership lost before writing %s; pass ends", target);
                    return false;
                }
                write = write(target, config, workload, decision, epoch, state);
            }
        }
        record.add(new DecisionRecord.Entry(snapshot, decision, write));
        return true;
    }

    private String write(
            TargetRef target,
            TargetConfig config,
            Workload workload,
            Decision decision,
            long epoch,
            TargetState state) {
        int from = decision.currentReplicas();
        int to = decision.desiredReplicas();
        Cluster.WriteResult result = cluster.scale(workload, to, epoch);
        monitor.scaleWrite(target, to > from, result.result());
        LOG.infof(
                "scale target=%s from=%d to=%d reason=\"%s\" epoch=%d result=%s%s",
                target,
                from,
                to,
                decision.reason(),
                epoch,
                result.result(),
                result.detail() == null ? "" : " detail=\"" + result.detail() + "\"");
        String newSize = "New size: " + to + "; reason: " + decision.reason();
        if (result.result() == Cluster.WriteResult.Result.SUCCESS) {
            state.history = decision.historyAfterWrite();
            cluster.event(
                    target.namespace(), config.kind(), config.workloadName(), false, "SuccessfulRescale", newSize);
        } else {
            cluster.event(
                    target.namespace(),
                    config.kind(),
                    config.workloadName(),
                    true,
                    "FailedRescale",
                    newSize + "; error: " + result.detail());
        }
        return result.result() + (result.detail() == null ? "" : ": " + result.detail());
    }

    /** Reports a reason not to decide: counted every pass, logged and sent as an Event when it changes. */
    private void warn(
            TargetRef target,
            TargetConfig config,
            TargetState state,
            Outcome.Reason reason,
            String eventReason,
            String message) {
        monitor.decisionFailed(reason);
        if (!Objects.equals(state.warning, message)) {
            state.warning = message;
            LOG.warnf("no decision for %s: %s", target, message);
            cluster.event(target.namespace(), config.kind(), config.workloadName(), true, eventReason, message);
        }
    }

    private void forgetGone(Set<TargetRef> managed, List<TuningSource.Tuning> tunings) {
        Set<TargetRef> listed = new HashSet<>();
        tunings.forEach(t -> listed.add(t.target()));
        states.keySet().removeIf(t -> {
            boolean gone = !listed.contains(t);
            if (gone) {
                monitor.forget(t);
            }
            return gone;
        });
        record.retain(managed);
    }
}
