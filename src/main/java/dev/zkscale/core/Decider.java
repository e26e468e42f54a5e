package dev.zkscale.core;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The decision: one pure function of a {@link Snapshot} (which carries the config and the time) to a {@link Decision},
 * computed as the Kubernetes HPA controller does for a CPU utilization target. No I/O, no clock, no state: what the
 * next decision must remember travels in {@link Decision#history()}.
 *
 * <p>{@code run}, {@code demo}, {@code simulate} and {@code explain} all call this one method.
 */
public final class Decider {
    private static final String WHOLE_POD_METRIC = "cpu resource utilization (percentage of request)";
    private static final String CONTAINER_METRIC = "cpu container resource utilization (percentage of request)";

    private Decider() {}

    /** Decides the size of {@code snapshot.target()} at {@code snapshot.now()}. Never throws for valid records. */
    public static Decision decide(Snapshot snapshot) {
        TargetConfig config = snapshot.config();
        Instant now = snapshot.now();
        int current = snapshot.specReplicas();
        History history = snapshot.history();
        List<History.Entry> recommendations =
                new ArrayList<>(history == null ? List.of(new History.Entry(now, current)) : history.recommendations());
        List<History.Entry> upEvents = new ArrayList<>(history == null ? List.of() : history.scaleUpEvents());
        List<History.Entry> downEvents = new ArrayList<>(history == null ? List.of() : history.scaleDownEvents());

        Conditions conditions = new Conditions();
        conditions.set(
                "AbleToScale",
                true,
                "SucceededGetScale",
                "the HPA controller was able to get the target's current scale");
        ReplicaCalculator.Grouping grouping = ReplicaCalculator.Grouping.NONE;
        Integer recommended = null;
        Integer utilization = null;
        Long rawAverage = null;
        String error = null;
        String reason = null;
        int desired;

        if (current == 0) {
            // minReplicas is at least 1: a target scaled to zero by hand is switched off, as upstream.
            desired = 0;
            conditions.set(
                    "ScalingActive",
                    false,
                    "ScalingDisabled",
                    "scaling is disabled since the replica count of the target is zero");
        } else if (current > config.maxReplicas()) {
            desired = config.maxReplicas();
            reason = "Current number of replicas above Spec.MaxReplicas";
        } else if (current < config.minReplicas()) {
            desired = config.minReplicas();
            reason = "Current number of replicas below Spec.MinReplicas";
        } else {
            boolean containerMode = config.container() != null;
            ReplicaCalculator.Outcome outcome = ReplicaCalculator.calculate(snapshot);
            grouping = outcome.grouping();
            if (outcome.error() != null) {
                error = "failed to get cpu utilization: " + outcome.error();
                desired = current;
                conditions.set(
                        "ScalingActive",
                        false,
                        containerMode ? "FailedGetContainerResourceMetric" : "FailedGetResourceMetric",
                        "the HPA was unable to compute the replica count: " + error);
            } else {
                String metric = containerMode ? CONTAINER_METRIC : WHOLE_POD_METRIC;
                recommended = outcome.replicas();
                utilization = outcome.utilization();
                rawAverage = outcome.rawAverage();
                conditions.set(
                        "ScalingActive",
                        true,
                        "ValidMetricFound",
                        "the HPA was able to successfully calculate a replica count from " + metric);
                // As upstream, the reason follows the proposal's direction, before stabilization and limits.
                reason = recommended > current
                        ? metric + " above target"
                        : recommended < current ? "All metrics below target" : "";
                desired = Normalizer.normalize(
                        config, current, recommended, now, recommendations, upEvents, downEvents, conditions);
            }
        }

        if (desired != current) {
            conditions.set(
                    "AbleToScale",
                    true,
                    "SucceededRescale",
                    "the HPA controller was able to update the target scale to " + desired);
            if (config.behavior() != null) {
                Normalizer.recordScaleEvent(config.behavior(), current, desired, now, upEvents, downEvents);
            }
        } else {
            reason = null;
        }
        return new Decision(
                snapshot.target(),
                current,
                desired,
                recommended,
                utilization,
                rawAverage,
                grouping.readyPods(),
                List.copyOf(grouping.unready()),
                List.copyOf(grouping.missing()),
                List.copyOf(grouping.ignored()),
                conditions.list(),
                reason,
                error,
                new History(recommendations, upEvents, downEvents));
    }
}
