package dev.zkscale.core;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What the decision remembers of a target between passes, as the upstream controller keeps it in memory:
 * the recommendations it made and the scale events it caused. Order matters only for which slot an expired entry's
 * replacement takes, which this record keeps as upstream does.
 *
 * @param recommendations each pass's proposal before stabilization, with its time
 * @param scaleUpEvents replicas added by each scale-up, with its time
 * @param scaleDownEvents replicas removed by each scale-down, with its time
 * @param forecast what the forecast policy remembers ({@link Policy}), or null when the target has none
 */
public record History(
        List<Entry> recommendations, List<Entry> scaleUpEvents, List<Entry> scaleDownEvents, ForecastState forecast) {

    public History {
        recommendations = List.copyOf(recommendations);
        scaleUpEvents = List.copyOf(scaleUpEvents);
        scaleDownEvents = List.copyOf(scaleDownEvents);
    }

    /**
     * This history with a successful rescale from {@code from} to {@code to} replicas at {@code now} recorded, as
     * upstream records it after its write: only with {@code behavior} (null means the legacy rules, which keep no
     * events), in the slot of the direction's last event older than its longest policy period, or appended. Unchanged
     * when {@code from == to}.
     */
    public History afterScale(Behavior behavior, int from, int to, Instant now) {
        if (behavior == null || from == to) {
            return this;
        }
        boolean up = to > from;
        List<Entry> events = new ArrayList<>(up ? scaleUpEvents : scaleDownEvents);
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
        Normalizer.record(events, outdated, new Entry(now, Math.abs(to - from)));
        return up
                ? new History(recommendations, events, scaleDownEvents, forecast)
                : new History(recommendations, scaleUpEvents, events, forecast);
    }

    /**
     * This history without the entries that no decision under {@code config} after {@code now} can use: those older
     * than the longest window, which is the longest stabilization window or policy period of the config (the forecast
     * policy has no window of its own; while it decides, the config's windows are kept for the day it is switched
     * off). What is kept still decides every later pass exactly as the whole history would, as long as the config's
     * windows do not grow. The forecast state is kept whole.
     */
    public History retainedFor(TargetConfig config, Instant now) {
        Instant cutoff = now.minusSeconds(longestWindowSeconds(config));
        return new History(
                after(recommendations, cutoff), after(scaleUpEvents, cutoff), after(scaleDownEvents, cutoff), forecast);
    }

    private long longestWindowSeconds(TargetConfig config) {
        long longest = config.downscaleStabilizationSeconds();
        Behavior behavior = config.behavior();
        if (behavior != null) {
            for (ScalingRules rules : List.of(behavior.scaleUp(), behavior.scaleDown())) {
                longest = Math.max(longest, rules.stabilizationWindowSeconds());
                for (ScalingPolicy policy : rules.policies()) {
                    longest = Math.max(longest, policy.periodSeconds());
                }
            }
        }
        return longest;
    }

    private static List<Entry> after(List<Entry> entries, Instant cutoff) {
        return entries.stream().filter(e -> !e.time().isBefore(cutoff)).toList();
    }

    /** A number of replicas at a time. */
    public record Entry(Instant time, int replicas) {}
}
