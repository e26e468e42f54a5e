package dev.zkscale.core;

import java.time.Instant;
import java.util.List;

/**
 * Turns the calculator's proposal into the size to write, as upstream's {@code normalizeDesiredReplicas} (no
 * {@code behavior}) and {@code normalizeDesiredReplicasWithBehaviors} do: stabilization over the recorded
 * recommendations, rate limits over the recorded scale events, and the min/max bounds. It records the proposal in the
 * recommendation list it is given and sets the AbleToScale and ScalingLimited conditions. Scale events are recorded
 * only once a write succeeds: {@link History#afterScale}.
 */
final class Normalizer {
    private static final int LEGACY_SCALE_UP_FACTOR = 2;
    private static final int LEGACY_SCALE_UP_MINIMUM = 4;

    private Normalizer() {}

    /**
     * A limited size, why it is what it is (the ScalingLimited condition's reason and message), and what holds the
     * size when the decision keeps it although the formula asked for a change.
     */
    record Limited(int replicas, ConditionReason reason, String message, Outcome.Reason holdsBecause) {
        static Limited within(int replicas) {
            return new Limited(
                    replicas,
                    ConditionReason.DesiredWithinRange,
                    "the desired count is within the acceptable range",
                    Outcome.Reason.STABILIZED);
        }

        static Limited atMin(int min) {
            return new Limited(min, ConditionReason.TooFewReplicas, TOO_FEW, Outcome.Reason.AT_MIN_REPLICAS);
        }

        static Limited atMax(int max) {
            return new Limited(max, ConditionReason.TooManyReplicas, TOO_MANY, Outcome.Reason.AT_MAX_REPLICAS);
        }

        static Limited upRate(int limit) {
            return new Limited(limit, ConditionReason.ScaleUpLimit, UP_RATE, Outcome.Reason.RATE_LIMITED);
        }

        static Limited downRate(int limit) {
            return new Limited(limit, ConditionReason.ScaleDownLimit, DOWN_RATE, Outcome.Reason.RATE_LIMITED);
        }
    }

    private static final String TOO_FEW = "the desired replica count is less than the minimum replica count";
    private static final String TOO_MANY = "the desired replica count is more than the maximum replica count";
    private static final String UP_RATE = "the desired replica count is increasing faster than the maximum scale rate";
    private static final String DOWN_RATE =
            "the desired replica count is decreasing faster than the maximum scale rate";
    private static final String READY = "recommended size matches current size";
    private static final String DOWN_STABILIZED =
            "recent recommendations were higher than current one, applying the highest recent recommendation";
    private static final String UP_STABILIZED =
            "recent recommendations were lower than current one, applying the lowest recent recommendation";

    /** The size to write ({@link Limited#replicas()}) for the formula's {@code proposal}. */
    static Limited normalize(
            TargetConfig config,
            int current,
            int proposal,
            Instant now,
            List<History.Entry> recommendations,
            List<History.Entry> upEvents,
            List<History.Entry> downEvents,
            Conditions conditions) {
        Behavior behavior = config.behavior();
        int stabilized;
        ConditionReason stabilizedReason;
        String stabilizedMessage;
        Limited limited;
        if (behavior == null) {
            stabilized = stabilizeLegacy(proposal, now, config.downscaleStabilizationSeconds(), recommendations);
            stabilizedReason = ConditionReason.ScaleDownStabilized;
            stabilizedMessage = DOWN_STABILIZED;
            limited = limitLegacy(current, stabilized, config.minReplicas(), config.maxReplicas());
        } else {
            stabilized = stabilize(current, proposal, now, behavior, recommendations);
            stabilizedReason =
                    proposal >= current ? ConditionReason.ScaleUpStabilized : ConditionReason.ScaleDownStabilized;
            stabilizedMessage = proposal >= current ? UP_STABILIZED : DOWN_STABILIZED;
            limited = limitByRate(current, stabilized, now, config, upEvents, downEvents);
        }
        if (stabilized != proposal) {
            conditions.set(ConditionType.AbleToScale, true, stabilizedReason, stabilizedMessage);
        } else {
            conditions.set(ConditionType.AbleToScale, true, ConditionReason.ReadyForNewScale, READY);
        }
        conditions.set(
                ConditionType.ScalingLimited, limited.replicas() != stabilized, limited.reason(), limited.message());
        return limited;
    }

    /** Legacy: the highest recommendation within the scale-down window, the proposal included. */
    private static int stabilizeLegacy(
            int proposal, Instant now, int windowSeconds, List<History.Entry> recommendations) {
        Instant cutoff = now.minusSeconds(windowSeconds);
        int highest = proposal;
        int expired = -1;
        for (int i = 0; i < recommendations.size(); i++) {
            History.Entry rec = recommendations.get(i);
            if (rec.time().isBefore(cutoff)) {
                expired = i;
            } else if (rec.replicas() > highest) {
                highest = rec.replicas();
            }
        }
        record(recommendations, expired, new History.Entry(now, proposal));
        return highest;
    }

    /** With behavior: hold the size between the lowest recent (up window) and highest recent (down window) proposal. */
    private static int stabilize(
            int current, int proposal, Instant now, Behavior behavior, List<History.Entry> recommendations) {
        Instant upCutoff = now.minusSeconds(behavior.scaleUp().stabilizationWindowSeconds());
        Instant downCutoff = now.minusSeconds(behavior.scaleDown().stabilizationWindowSeconds());
        int up = proposal;
        int down = proposal;
        int expired = -1;
        for (int i = 0; i < recommendations.size(); i++) {
            History.Entry rec = recommendations.get(i);
            if (rec.time().isAfter(upCutoff)) {
                up = Math.min(up, rec.replicas());
            }
            if (rec.time().isAfter(downCutoff)) {
                down = Math.max(down, rec.replicas());
            }
            if (rec.time().isBefore(upCutoff) && rec.time().isBefore(downCutoff)) {
                expired = i;
            }
        }
        record(recommendations, expired, new History.Entry(now, proposal));
        return Math.min(Math.max(current, up), down);
    }

    private static Limited limitLegacy(int current, int desired, int min, int max) {
        int scaleUpLimit = (int) Math.max((double) LEGACY_SCALE_UP_FACTOR * current, LEGACY_SCALE_UP_MINIMUM);
        Limited ceiling = max > scaleUpLimit ? Limited.upRate(scaleUpLimit) : Limited.atMax(max);
        if (desired < min) {
            return Limited.atMin(min);
        }
        return desired > ceiling.replicas() ? ceiling : Limited.within(desired);
    }

    private static Limited limitByRate(
            int current,
            int desired,
            Instant now,
            TargetConfig config,
            List<History.Entry> upEvents,
            List<History.Entry> downEvents) {
        Behavior behavior = config.behavior();
        if (desired > current) {
            int limit = Math.max(current, rateLimit(behavior.scaleUp(), true, current, now, upEvents, downEvents));
            Limited ceiling =
                    config.maxReplicas() > limit ? Limited.upRate(limit) : Limited.atMax(config.maxReplicas());
            return desired > ceiling.replicas() ? ceiling : Limited.within(desired);
        }
        if (desired < current) {
            int limit = Math.min(current, rateLimit(behavior.scaleDown(), false, current, now, upEvents, downEvents));
            Limited floor =
                    config.minReplicas() < limit ? Limited.downRate(limit) : Limited.atMin(config.minReplicas());
            return desired < floor.replicas() ? floor : Limited.within(desired);
        }
        return Limited.within(desired);
    }

    /**
     * The furthest size the policies allow from the size at each policy's period start. For scale-up, Max picks the
     * largest limit; for scale-down, Max (the largest change) picks the smallest.
     */
    private static int rateLimit(
            ScalingRules rules,
            boolean scaleUp,
            int current,
            Instant now,
            List<History.Entry> upEvents,
            List<History.Entry> downEvents) {
        if (rules.selectPolicy() == ScalingRules.SelectPolicy.Disabled) {
            return current;
        }
        boolean pickLargest = (rules.selectPolicy() == ScalingRules.SelectPolicy.Max) == scaleUp;
        int result = pickLargest ? Integer.MIN_VALUE : Integer.MAX_VALUE;
        for (ScalingPolicy policy : rules.policies()) {
            int periodStart = current
                    - changeWithin(policy.periodSeconds(), now, upEvents)
                    + changeWithin(policy.periodSeconds(), now, downEvents);
            int proposed;
            if (policy.type() == ScalingPolicy.Type.Pods) {
                proposed = scaleUp ? periodStart + policy.value() : periodStart - policy.value();
            } else if (scaleUp) {
                // Rounded up, or a small percentage of a small size would never add a pod.
                proposed = (int) Math.ceil(periodStart * (1 + (double) policy.value() / 100));
            } else {
                proposed = (int) (periodStart * (1 - (double) policy.value() / 100));
            }
            result = pickLargest ? Math.max(result, proposed) : Math.min(result, proposed);
        }
        return result;
    }

    private static int changeWithin(int periodSeconds, Instant now, List<History.Entry> events) {
        Instant cutoff = now.minusSeconds(periodSeconds);
        int change = 0;
        for (History.Entry event : events) {
            if (event.time().isAfter(cutoff)) {
                change += event.replicas();
            }
        }
        return change;
    }

    static void record(List<History.Entry> list, int replaceAt, History.Entry entry) {
        if (replaceAt >= 0) {
            list.set(replaceAt, entry);
        } else {
            list.add(entry);
        }
    }
}
