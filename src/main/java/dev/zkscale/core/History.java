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

    /** A number of replicas at a time. */
    public record Entry(Instant time, int replicas) {}
}
