package dev.zkscale.core;

import java.time.Instant;
import java.util.List;

/**
 * Turns the calculator's proposal into the size to write, as upstream's {@code normalizeDesiredReplicas} (no
 * {@code behavior}) and {@code normalizeDesiredReplicasWithBehaviors} do: stabilization over the recorded
 * recommendations, rate limits over the recorded scale events, and the min/max bounds. It records the proposal in the
 * recommendation list it is given and sets the AbleToScale and ScalingLimited conditions.
 */
final class Normalizer {
    private static final int LEGACY_SCALE_UP_FACTOR = 2;
    private static final int LEGACY_SCALE_UP_MINIMUM = 4;

    private Normalizer() {}

    /** A limited size and why it is what it is. */
    private record Limited(int replicas, String reason, String message) {
        static Limited within(int replicas) {
            return new Limited(replicas, "DesiredWithinRange", "the desired count is within the acceptable range");
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

    static int normalize(
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
        String stabilizedReason;
        String stabilizedMessage;
        Limited limited;
        if (behavior == null) {
            stabilized = stabilizeLegacy(proposal, now, config.downscaleStabilizationSeconds(), recommendations);
            stabilizedReason = "ScaleDownStabilized";
            stabilizedMessage = DOWN_STABILIZED;
            limited = limitLegacy(current, stabilized, config.minReplicas(), config.maxReplicas());
        } else {
            stabilized = stabilize(current, proposal, now, behavior, recommendations);
            stabilizedReason = proposal >= current ? "ScaleUpStabilized" : "ScaleDownStabilized";
            stabilizedMessage = proposal >= current ? UP_STABILIZED : DOWN_STABILIZED;
            limited = limitByRate(current, stabilized, now, config, upEvents, downEvents);
        }
        if (stabilized != proposal) {
            conditions.set("AbleToScale", true, stabilizedReason, stabilizedMessage);
        } else {
            conditions.set("AbleToScale", true, "ReadyForNewScale", READY);
        }
        conditions.set("ScalingLimited", limited.replicas() != stabilized, limited.reason(), limited.message());
        return limited.replicas();
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
        Limited ceiling = max > scaleUpLimit
                ? new Limited(scaleUpLimit, "ScaleUpLimit", UP_RATE)
                : new Limited(max, "TooManyReplicas", TOO_MANY);
        if (desired < min) {
            return new Limited(min, "TooFewReplicas", TOO_FEW);
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
            Limited ceiling = config.maxReplicas() > limit
                    ? new Limited(limit, "ScaleUpLimit", UP_RATE)
                    : new Limited(config.maxReplicas(), "TooManyReplicas", TOO_MANY);
            return desired > ceiling.replicas() ? ceiling : Limited.within(desired);
        }
        if (desired < current) {
            int limit = Math.min(current, rateLimit(behavior.scaleDown(), false, current, now, upEvents, downEvents));
            Limited floor = config.minReplicas() < limit
                    ? new Limited(limit, "ScaleDownLimit", DOWN_RATE)
                    : new Limited(config.minReplicas(), "TooFewReplicas", TOO_FEW);
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

    /**
     * Records a scale event after a successful rescale (only with {@code behavior}, as upstream): it takes the slot of
     * the last event older than the direction's longest policy period, or is appended.
     */
    static void recordScaleEvent(
            Behavior behavior,
            int from,
            int to,
            Instant now,
            List<History.Entry> upEvents,
            List<History.Entry> downEvents) {
        boolean up = to > from;
        List<History.Entry> events = up ? upEvents : downEvents;
        ScalingRules rules = up ? behavior.scaleUp() : behavior.scaleDown();
        int longest = rules.policies().stream()
                .mapToInt(ScalingPolicy::periodSeconds)
                .max()
                .orElse(0);
        Instant cutoff = now.minusSeconds(longest);
        int outdated = -1;
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).time().isBefore(cutoff)) {
                outdated = i;
            }
        }
        record(events, outdated, new History.Entry(now, Math.abs(to - from)));
    }

    private static void record(List<History.Entry> list, int replaceAt, History.Entry entry) {
        if (replaceAt >= 0) {
            list.set(replaceAt, entry);
        } else {
            list.add(entry);
        }
    }
}
