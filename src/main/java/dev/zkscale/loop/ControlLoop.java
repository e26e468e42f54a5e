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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * One pass of the controller, run every sync period by one thread (passes never overlap): gate on leadership, deal
 * with targets of a foreign or newer epoch, then for each target gate, observe, decide, gate, report, gate, write,
 * record; then fence the targets this term has neither written nor stamped yet. Only the leader decides and writes;
 * each write carries the leader's epoch so that the API server refuses a deposed leader's late write.
 *
 * <p>Takeover: a term fences every target it may write, so that a write an older leader prepared is refused by the
 * API server even on a target this leader never changes. A scale write is a fence in itself; the targets a pass does
 * not write get the term's epoch stamped on their workload through the {@link Fence} once the pass's decisions are
 * made and written (all such targets at once, at the start of a term), and the pass ends when the stamps are done. A
 * target that carries an epoch above the term's makes the loop ask {@link Leadership#advancePast} before anything is
 * decided. {@link Takeover} does both and says why deciding first is safe. A deposed instance stops at once:
 * leadership is checked before each target, before each Event and before each write, and the stamps and the write run
 * under {@link Leadership#whileLeading}, which abandons them when the term ends.
 *
 * <p>What the loop remembers between passes is the in-memory state the upstream HPA controller keeps: each target's
 * decision history (lost when leadership changes hands, as upstream loses it on failover, unless a
 * {@link DecisionMemory} keeps it for the next leader), and what it already
 * reported: warnings, rejected configs, the config in force. The last good config is the {@link TuningSource}'s to
 * keep. Bad input never ends a pass: each target fails alone.
 *
 * <p>Other writers of a target's {@code spec.replicas} are reported, not fought: with an HPA on the same workload
 * ({@link Autoscalers}) the decision keeps the size ({@link Outcome.Reason#COMPETING_AUTOSCALER}) until the HPA is
 * gone; a change of {@code spec.replicas} by anyone else during this leader's term (the epoch annotation not newer
 * than its own) is a {@code CompetingWriter} Warning, counted, and said in the decision record, and the loop decides
 * on as the HPA controller does.
 *
 * <p>Reasons counted when no decision can be made: {@link Outcome#FAILURES}. Each pass ends with a heartbeat, a
 * follower's too, and a leader's long pass beats on each target decided and each stamp sent ({@link #lastProgress()}):
 * the liveness check reads it.
 */
public final class ControlLoop {
    private static final Logger LOG = Logger.getLogger(ControlLoop.class);

    // Event reasons of the loop's own (a failed decision's Event carries its ScalingActive condition's reason).
    static final String INVALID_CONFIG = "InvalidConfig";
    static final String CONFIG_APPLIED = "ConfigApplied";
    static final String FAILED_GET_SCALE = "FailedGetScale";
    static final String SELECTOR_REQUIRED = "SelectorRequired";
    static final String SUCCESSFUL_RESCALE = "SuccessfulRescale";
    static final String FAILED_RESCALE = "FailedRescale";
    static final String COMPETING_WRITER = "CompetingWriter";

    // What the decision record says of a write that was not attempted.
    static final String DRY_RUN = "dry run: not written";
    static final String LEADERSHIP_LOST = "not written: leadership lost";

    private final Ports ports;
    private final Clock clock;
    private final Settings settings;
    private final DecisionMemory memory;
    private final Takeover takeover;

    private final Map<TargetRef, TargetState> states = new HashMap<>();
    /** The epoch of the term the loop works in, -1 when it does not lead. */
    private long term = -1;

    private boolean takingOver;
    private volatile Instant lastPass;
    private volatile Instant lastProgress;

    /**
     * What the loop talks to, one port per job.
     *
     * @param leadership whether this instance leads, and its epoch
     * @param tuning the managed targets and their configs
     * @param workloads the cached workloads and pods
     * @param autoscalers the other autoscalers (HPAs) of the cluster, cached
     * @param metrics the resource metrics API
     * @param writer the fenced scale write
     * @param fence the takeover's stamps
     * @param events Kubernetes Events
     * @param monitor the metrics the loop reports
     * @param log the decision record
     */
    public record Ports(
            Leadership leadership,
            TuningSource tuning,
            Workloads workloads,
            Autoscalers autoscalers,
            MetricsSource metrics,
            ScaleWriter writer,
            Fence fence,
            EventSink events,
            Monitor monitor,
            DecisionLog log) {}

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

    /** What the loop remembers of a target between passes. */
    private static final class TargetState {
        TuningSource.ConfigInForce inForce;
        TuningSource.RejectedConfig rejected;
        TargetConfig config;
        History history;
        String warning;
        /** A ConfigApplied Event not sent yet: it goes out with the target's next decision. */
        String applied;

        Seen seen;
    }

    /**
     * The target's {@code spec.replicas} as this leader last saw it, or wrote it, in term {@code epoch}; with the
     * {@code resourceVersion} of the object it was seen on (for a write or a stamp, the object written over: until the
     * cache shows a newer one, it has not caught up with the write or stamp).
     *
     * @param fenced this term's own write or stamp went over that object, so while the cache shows it, the target
     *     needs no stamp: no older leader's write can land on it any more
     */
    private record Seen(int replicas, long epoch, String resourceVersion, boolean fenced) {
        /** The workload as the cache shows it, in term {@code epoch}. */
        static Seen of(Workload workload, long epoch) {
            return new Seen(workload.specReplicas(), epoch, workload.resourceVersion(), false);
        }

        /** Whether this term's write or stamp went over {@code workload} (the cache may not show the change yet). */
        boolean fenced(Workload workload, long epoch) {
            return fenced && this.epoch == epoch && Objects.equals(resourceVersion, workload.resourceVersion());
        }
    }

    /** A target to decide this pass, with its config (capped) and the workload to decide and write with. */
    record Due(TargetRef target, TargetConfig config, Workload workload) {}

    /** What became of a target in a pass. */
    private enum Done {
        /** Leadership was lost: the pass ends. */
        ENDED,
        /** Decided; no write of this pass changed its workload, so it may need the term's stamp. */
        DECIDED,
        /**
         * Written: the API server applied the write (the workload carries the term's epoch now) or refused it because
         * a newer leader's epoch is on it. Either way an older leader's write is refused from now on: no stamp.
         */
        WRITTEN
    }

    /**
     * What one pass shares between its targets: the epoch it decides under (the term's, or the one the takeover
     * advanced it to past a foreign epoch), and each namespace's metrics.
     */
    private final class Pass {
        final long epoch;
        final Map<String, MetricsSource.NamespaceMetrics> metrics = new HashMap<>();
        final Map<String, String> metricsErrors = new HashMap<>();

        Pass(long epoch) {
            this.epoch = epoch;
        }

        /** The workload's PodMetrics, listing its namespace once per pass; empty when the metrics API failed. */
        List<PodMetrics> podMetrics(Workload workload) {
            String ns = workload.namespace();
            if (!metrics.containsKey(ns) && !metricsErrors.containsKey(ns)) {
                try {
                    MetricsSource.NamespaceMetrics listed = ports.metrics().podMetrics(ns);
                    metrics.put(ns, listed);
                    ports.monitor().metricsUnreadable(listed.unreadable());
                } catch (MetricsSource.MetricsUnavailableException e) {
                    metricsErrors.put(ns, e.getMessage());
                }
            }
            return metrics.containsKey(ns) ? metrics.get(ns).select(workload) : List.of();
        }

        /** Why the namespace's metrics could not be read, or null. */
        String metricsError(String namespace) {
            return metricsErrors.get(namespace);
        }
    }

    /** A loop whose new leader starts every target cold, as upstream does. */
    public ControlLoop(Ports ports, Clock clock, Settings settings) {
        this(ports, clock, settings, null);
    }

    /** A loop whose leader keeps its decision history in {@code memory} for the next (warm failover). */
    public ControlLoop(Ports ports, Clock clock, Settings settings, DecisionMemory memory) {
        this.ports = ports;
        this.clock = clock;
        this.settings = settings;
        this.memory = memory;
        this.takeover = new Takeover(
                ports.leadership(),
                ports.fence(),
                ports.monitor(),
                ports.events(),
                settings.dryRun(),
                this::progressed);
    }

    /** Runs one pass. Never throws: a failing target or source is reported and the pass goes on or ends early. */
    public void pass() {
        long started = System.nanoTime();
        try {
            OptionalLong epoch = term();
            if (epoch.isEmpty()) {
                return;
            }
            List<TuningSource.Target> targets;
            try {
                targets = ports.tuning().targets();
            } catch (TuningSource.TuningUnavailableException e) {
                LOG.warnf("no pass: the target configs cannot be read: %s", e.getMessage());
                ports.monitor().tuningUnavailable();
                return;
            }
            if (takingOver && memory != null) {
                takeOver(epoch.getAsLong(), targets);
            }
            takingOver = false;
            Set<TargetRef> managed = new HashSet<>();
            List<Due> due = new ArrayList<>();
            for (TuningSource.Target t : targets) {
                if (!managed(t)) {
                    continue;
                }
                if (!ports.leadership().leads(epoch.getAsLong())) {
                    LOG.infof("leadership lost before reading the config of %s; pass ends", t.target());
                    return;
                }
                TargetState state = states.computeIfAbsent(t.target(), k -> new TargetState());
                TargetConfig config = accept(t, state);
                if (config == null) {
                    continue;
                }
                managed.add(t.target());
                if (config.mode() == Mode.Paused) {
                    announce(t.target(), config, state);
                    ports.monitor().skipped(t.target(), Outcome.none(Outcome.Reason.PAUSED));
                    continue;
                }
                TargetConfig capped = config.cappedAt(settings.maxReplicasCeiling());
                Workload workload = workload(t.target(), capped, state);
                if (workload != null) {
                    due.add(new Due(t.target(), capped, workload));
                }
            }
            Takeover.Claimed claimed = takeover.claim(epoch.getAsLong(), due);
            term = claimed.epoch(); // advanced past a foreign epoch, the term goes on under the new one
            if (!claimed.leading()) {
                return;
            }
            Pass pass = new Pass(claimed.epoch());
            List<Due> unwritten = new ArrayList<>();
            for (Due d : claimed.due()) {
                announce(d.target(), d.config(), states.get(d.target()));
                Done done = target(pass, d);
                if (done == Done.ENDED) {
                    return;
                }
                if (done == Done.DECIDED && !states.get(d.target()).seen.fenced(d.workload(), pass.epoch)) {
                    unwritten.add(d);
                }
                progressed();
            }
            Takeover.Stamped stamped = takeover.stamp(pass.epoch, unwritten);
            // The size the stamp returned is what this leader saw of the target (an older leader's write that landed
            // before the stamp is in it): not another writer's change to report next pass.
            stamped.stamped()
                    .forEach(f -> states.get(f.due().target()).seen = new Seen(
                            f.stamped().specReplicas(),
                            pass.epoch,
                            f.due().workload().resourceVersion(),
                            true));
            if (!stamped.leading()) {
                return;
            }
            forgetGone(managed, targets);
            if (memory != null) {
                remember(pass.epoch);
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "pass failed unexpectedly; the next pass starts afresh");
        } finally {
            ports.monitor().pass(Duration.ofNanos(System.nanoTime() - started));
            lastPass = clock.instant();
            lastProgress = lastPass;
        }
    }

    private void progressed() {
        lastProgress = clock.instant();
    }

    private boolean managed(TuningSource.Target t) {
        return settings.namespaces().isEmpty()
                || settings.namespaces().contains(t.target().namespace());
    }

    /** The first pass of a term: the managed targets continue from the histories the last leader saved. */
    private void takeOver(long epoch, List<TuningSource.Target> targets) {
        Set<TargetRef> wanted = new HashSet<>();
        targets.stream().filter(this::managed).forEach(t -> wanted.add(t.target()));
        memory.takeOver(epoch, wanted)
                .forEach((target, history) -> states.computeIfAbsent(target, k -> new TargetState()).history = history);
    }

    /** Hands every history the loop keeps to the memory, which saves those that changed. */
    private void remember(long epoch) {
        Map<TargetRef, DecisionMemory.Kept> kept = new HashMap<>();
        states.forEach((target, state) -> {
            if (state.history != null && state.config != null) {
                kept.put(target, new DecisionMemory.Kept(state.history, state.config));
            }
        });
        memory.passed(epoch, clock.instant(), kept);
    }

    /** When the last pass ended (by the loop's clock), or null before the first. */
    public Instant lastPass() {
        return lastPass;
    }

    /**
     * When the loop last made progress (by its clock): a pass ended, or, within a long pass, a target was decided or
     * a stamp went out; null before the first. The liveness check reads it, so that a first pass over thousands of
     * targets is not taken for a stuck one.
     */
    public Instant lastProgress() {
        return lastProgress;
    }

    /**
     * This pass's epoch, or empty when this instance does not lead. A new term (or none) starts every target's
     * history afresh, as upstream keeps it in memory only; a follower drops its per-target series, which would be
     * stale figures of a past term.
     */
    private OptionalLong term() {
        OptionalLong epoch = ports.leadership().epoch();
        if (epoch.isEmpty() || epoch.getAsLong() != term) {
            states.values().forEach(s -> s.history = null);
            term = epoch.orElse(-1);
            takingOver = epoch.isPresent();
        }
        if (epoch.isEmpty()) {
            states.keySet().forEach(ports.monitor()::forget);
        }
        return epoch;
    }

    /**
     * The config in force, or null when the target has none. Reports a rejection once per rejected version and reason
     * (a defaults change can reject an unchanged target ZNode), and a config taking effect once: its ConfigApplied
     * Event goes out with the target's decision ({@link #announce}), after a foreign epoch on it was dealt with.
     */
    private TargetConfig accept(TuningSource.Target t, TargetState state) {
        TargetRef target = t.target();
        ports.monitor().configRead(target, t.rejected() != null);
        TuningSource.ConfigInForce inForce = t.inForce();
        TargetConfig known = t.config();
        if (t.rejected() != null && !t.rejected().equals(state.rejected)) {
            ports.monitor().configRejected(target);
            LOG.warnf(
                    "config of %s rejected (version %d), %s: %s",
                    target,
                    t.rejected().version(),
                    known == null ? "target stays unmanaged" : "keeping the config in force",
                    t.rejected().error());
            event(
                    target.namespace(),
                    known == null ? "Deployment" : known.kind(),
                    known == null ? target.name() : known.workloadName(),
                    true,
                    INVALID_CONFIG,
                    t.rejected().error());
        }
        state.rejected = t.rejected();
        if (inForce != null) {
            ports.monitor().configVersion(target, inForce.version());
        }
        if (inForce != null && !inForce.equals(state.inForce)) {
            String message = "config version " + inForce.version() + " applied (" + inForce.origin() + "): minReplicas "
                    + known.minReplicas() + ", maxReplicas " + known.maxReplicas() + ", targetCPUUtilizationPercentage "
                    + known.targetCPUUtilizationPercentage() + ", mode " + known.mode();
            LOG.infof("config of %s: %s", target, message);
            state.applied = message;
        }
        state.inForce = inForce;
        state.config = known;
        return known;
    }

    /** One target: gate, observe, decide, gate, report, gate, write, record. */
    private Done target(Pass pass, Due due) {
        TargetRef target = due.target();
        TargetConfig config = due.config();
        TargetState state = states.get(target);
        Workload workload = due.workload();
        if (!ports.leadership().leads(pass.epoch)) {
            LOG.infof("leadership lost before observing %s; pass ends", target);
            return Done.ENDED;
        }
        String competing = ports.autoscalers().competing(workload);
        String changedByOther = changedByOther(target, config, workload, pass.epoch, state, competing == null);
        List<PodMetrics> podMetrics = pass.podMetrics(workload);
        Snapshot snapshot = new Snapshot(
                clock.instant(),
                target,
                config,
                workload.specReplicas(),
                workload.statusReplicas(),
                ports.workloads().pods(workload),
                podMetrics,
                pass.metricsError(workload.namespace()),
                state.history,
                competing);
        Decision decision = Decider.decide(snapshot);
        if (ended(pass, snapshot, decision, "while observing")) {
            return Done.ENDED;
        }
        if (competing != null) {
            ports.monitor().conflict(Monitor.Conflict.HPA);
        }
        report(target, config, state, snapshot, decision);
        // Scale events are remembered only once a write succeeds; recommendations in any case, as upstream.
        state.history = decision.historyBeforeWrite();
        String write = null;
        Done done = Done.DECIDED;
        if (decision.rescale()) {
            if (settings.dryRun() || config.mode() == Mode.DryRun) {
                write = DRY_RUN;
                LOG.infof(
                        "dry run target=%s from=%d to=%d reason=\"%s\"",
                        target, decision.currentReplicas(), decision.desiredReplicas(), decision.reason());
            } else if (ended(pass, snapshot, decision, "before writing")) {
                return Done.ENDED;
            } else {
                ScaleWriter.WriteResult result = write(config, workload, decision, pass.epoch, state);
                write = result.result() + (result.detail() == null ? "" : ": " + result.detail());
                done = result.result() == ScaleWriter.WriteResult.Result.FAILURE ? Done.DECIDED : Done.WRITTEN;
            }
        }
        if (changedByOther != null) {
            write = write == null ? changedByOther : changedByOther + "; write: " + write;
        }
        ports.log().add(snapshot, decision, write);
        return done;
    }

    /** Whether the term ended before {@code when}: then the decision is recorded as not written, and the pass ends. */
    private boolean ended(Pass pass, Snapshot snapshot, Decision decision, String when) {
        if (ports.leadership().leads(pass.epoch)) {
            return false;
        }
        ports.log().add(snapshot, decision, LEADERSHIP_LOST);
        LOG.infof("leadership lost %s %s; pass ends", when, snapshot.target());
        return true;
    }

    /**
     * Whether someone else changed the workload's {@code spec.replicas} since this leader last saw or wrote it in this
     * term, without a newer leader's epoch on it: then (when {@code report}) a {@code CompetingWriter} Warning and
     * {@link Monitor.Conflict#REPLICAS}, and the words for the decision record; else null. A first sight in a term
     * only remembers the size.
     */
    private String changedByOther(
            TargetRef target, TargetConfig config, Workload workload, long epoch, TargetState state, boolean report) {
        Seen seen = state.seen;
        if (seen != null
                && seen.epoch() == epoch
                && Objects.equals(seen.resourceVersion(), workload.resourceVersion())) {
            return null;
        }
        state.seen = Seen.of(workload, epoch);
        if (!report
                || seen == null
                || seen.epoch() != epoch
                || workload.writtenEpoch() > epoch
                || seen.replicas() == workload.specReplicas()) {
            return null;
        }
        String message = "spec.replicas changed from " + seen.replicas() + " to " + workload.specReplicas()
                + " by another writer (epoch annotation " + workload.writtenEpoch() + ", this leader's is " + epoch
                + "); zkscale keeps deciding and may set it back";
        ports.monitor().conflict(Monitor.Conflict.REPLICAS);
        LOG.warnf("%s: %s", target, message);
        event(target.namespace(), config, true, COMPETING_WRITER, message);
        return message;
    }

    /** The target's workload, or null when there is none to decide on (missing, no selector), which is reported. */
    private Workload workload(TargetRef target, TargetConfig config, TargetState state) {
        Workload workload = ports.workloads()
                .workload(target.namespace(), config.kind(), config.workloadName())
                .orElse(null);
        if (workload != null && !workload.selector().isEmpty()) {
            return workload;
        }
        Outcome.Reason reason = workload == null ? Outcome.Reason.WORKLOAD_MISSING : Outcome.Reason.SELECTOR_MISSING;
        ports.monitor().skipped(target, Outcome.none(reason));
        announce(target, config, state);
        if (workload == null) {
            String notFound = config.kind().toLowerCase() + "s.apps \"" + config.workloadName() + "\" not found";
            warn(target, config, state, reason, FAILED_GET_SCALE, notFound);
        } else {
            warn(target, config, state, reason, SELECTOR_REQUIRED, "selector is required");
        }
        return null;
    }

    /** Sends the target's pending ConfigApplied Event, if any. */
    private void announce(TargetRef target, TargetConfig config, TargetState state) {
        if (state.applied != null) {
            event(target.namespace(), config, false, CONFIG_APPLIED, state.applied);
            state.applied = null;
        }
    }

    /** Reports a decision: its metrics, and a failure to decide as a warning. */
    private void report(
            TargetRef target, TargetConfig config, TargetState state, Snapshot snapshot, Decision decision) {
        ports.monitor().decided(snapshot, decision);
        if (decision.error() != null) {
            // As upstream, the Event carries the reason of the ScalingActive condition the failure set.
            String reason =
                    decision.condition(ConditionType.ScalingActive).reason().name();
            warn(target, config, state, decision.outcome().reason(), reason, decision.error());
        } else {
            state.warning = null;
        }
    }

    /** Writes the decided size: what became of it. */
    private ScaleWriter.WriteResult write(
            TargetConfig config, Workload workload, Decision decision, long epoch, TargetState state) {
        TargetRef target = decision.target();
        int from = decision.currentReplicas();
        int to = decision.desiredReplicas();
        ScaleWriter.WriteResult result =
                ports.leadership().whileLeading(epoch, () -> ports.writer().scale(workload, to, epoch));
        ports.monitor().scaleWrite(target, to > from, result.result());
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
        if (result.result() == ScaleWriter.WriteResult.Result.SUCCESS) {
            state.history = decision.historyAfterWrite();
            state.seen = new Seen(to, epoch, workload.resourceVersion(), true);
            event(target.namespace(), config, false, SUCCESSFUL_RESCALE, newSize);
        } else {
            event(target.namespace(), config, true, FAILED_RESCALE, newSize + "; error: " + result.detail());
        }
        return result;
    }

    /** Reports a reason not to decide: counted every pass, logged and sent as an Event when it changes. */
    private void warn(
            TargetRef target,
            TargetConfig config,
            TargetState state,
            Outcome.Reason reason,
            String eventReason,
            String message) {
        ports.monitor().decisionFailed(reason);
        if (!Objects.equals(state.warning, message)) {
            state.warning = message;
            LOG.warnf("no decision for %s: %s", target, message);
            event(target.namespace(), config, true, eventReason, message);
        }
    }

    private void event(String namespace, TargetConfig config, boolean warning, String reason, String message) {
        event(namespace, config.kind(), config.workloadName(), warning, reason, message);
    }

    /** Sends an Event unless the term has ended: a deposed instance sends none. */
    private void event(String namespace, String kind, String name, boolean warning, String reason, String message) {
        if (ports.leadership().leads(term)) {
            ports.events().event(namespace, kind, name, warning, reason, message);
        }
    }

    private void forgetGone(Set<TargetRef> managed, List<TuningSource.Target> targets) {
        Set<TargetRef> listed = new HashSet<>();
        targets.forEach(t -> listed.add(t.target()));
        states.keySet().removeIf(t -> {
            boolean gone = !listed.contains(t);
            if (gone) {
                ports.monitor().forget(t);
            }
            return gone;
        });
        ports.log().retain(managed);
    }
}
