package dev.zkscale.loop;

import dev.zkscale.core.Decision;
import dev.zkscale.core.Outcome;
import dev.zkscale.core.Snapshot;
import dev.zkscale.core.TargetRef;
import java.time.Duration;

/**
 * What the loop reports to dashboards. Label values are closed sets: a target's namespace and name, a direction, a
 * result, an {@link Outcome}, a reason of {@link Outcome#FAILURES}; never a pod name. Implementations
 * must be cheap and never throw.
 *
 * <p>Per-target calls come from the leader only; a follower calls {@link #forget} for every target it knew, so that
 * only one instance shows a target's figures.
 */
public interface Monitor {

    /** Another writer of a target's {@code spec.replicas}, as counted in {@code zkscale_conflicts_total{kind}}. */
    enum Conflict {
        /** A HorizontalPodAutoscaler scales the workload; zkscale holds its writes back. */
        HPA,
        /** Someone else changed {@code spec.replicas}; zkscale keeps deciding. */
        REPLICAS;

        /** The label value: {@code hpa}, {@code replicas}. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * The target's config ZNode as read this pass, for every listed target of a managed namespace: {@code rejected}
     * while its current version is invalid (then the last good config is in use, or the target is unmanaged).
     */
    void configRead(TargetRef target, boolean rejected);

    /**
     * A decision was made from {@code snapshot} (current, desired and recommended sizes, utilization, the configured
     * target and bounds, the newest CPU sample), classified as its {@link Decision#outcome()}.
     */
    void decided(Snapshot snapshot, Decision decision);

    /** No decision was made for a managed target this pass (paused, workload missing, ...). */
    void skipped(TargetRef target, Outcome outcome);

    /** A scale write ended with {@code result}. */
    void scaleWrite(TargetRef target, boolean up, ScaleWriter.WriteResult.Result result);

    /** A target's config ZNode was rejected (counted once per rejected version). */
    void configRejected(TargetRef target);

    /**
     * The target's config in force is at ZNode data version {@code version} (a 32-bit counter that may wrap). Reported
     * on every pass that manages the target, like {@link #decided}, so the series comes back after {@link #forget}.
     */
    void configVersion(TargetRef target, int version);

    /**
     * A pass found another writer of a target: an HPA that holds zkscale's writes back (every pass it does), or a
     * change of {@code spec.replicas} by someone else (once per change).
     */
    void conflict(Conflict kind);

    /** No decision could be made for a target, for a reason of {@link Outcome#FAILURES}. */
    void decisionFailed(Outcome.Reason reason);

    /** A takeover stamp ({@link Fence}) ended with {@code result}. */
    void stamp(ScaleWriter.WriteResult.Result result);

    /** What became of a target found carrying an epoch above this leader's ({@link Leadership#advancePast}). */
    void foreignEpoch(ForeignEpoch outcome);

    /** The outcomes of {@link #foreignEpoch}, as counted in {@code zkscale_foreign_epochs_total{outcome}}. */
    enum ForeignEpoch {
        /** The epoch counter was advanced past the target's epoch, and this leader went on with the new epoch. */
        ADVANCED,
        /** The counter had moved past this leader's epoch: another instance leads, and this one stepped down. */
        DEPOSED,
        /** The counter could not be advanced now; the target was not decided in that pass. */
        FAILED
    }
    /** A namespace's PodMetrics were read with {@code items} items that could not be read (0 or more). */
    void metricsUnreadable(int items);

    /** No target could be decided this pass: the target configs cannot be read. */
    void tuningUnavailable();

    /** One pass of the loop took {@code duration}; called after every pass, a follower's too. */
    void pass(Duration duration);

    /**
     * At the start of a term, {@code targets} targets start cold: their decision state was not loaded, for
     * {@code failure} ({@link DecisionMemory}).
     */
    void stateLoadFailed(DecisionState.Failure failure, int targets);

    /** Saving the decision state after a pass failed, for {@code failure}. */
    void stateSaveFailed(DecisionState.Failure failure);

    /** The target's series go away (its ZNode was deleted, or this instance no longer leads). */
    void forget(TargetRef target);
}
