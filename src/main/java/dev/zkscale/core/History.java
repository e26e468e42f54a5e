package dev.zkscale.core;

import java.time.Instant;
import java.util.List;

/**
 * What the decision remembers of a target between passes, as the upstream controller keeps it in memory:
 * the recommendations it made and the scale events it caused. Order matters only for which slot an expired entry's
 * replacement takes, which this record keeps as upstream does.
 *
 * @param recommendations each pass's proposal before stabilization, with its time
 * @param scaleUpEvents replicas added by each scale-up, with its time
 * @param scaleDownEvents replicas removed by each scale-down, with its time
 */
public record History(List<Entry> recommendations, List<Entry> scaleUpEvents, List<Entry> scaleDownEvents) {

    /** A history with nothing in it: a target already known, with no past. */
    public static final History EMPTY = new History(List.of(), List.of(), List.of());

    public History {
        recommendations = List.copyOf(recommendations);
        scaleUpEvents = List.copyOf(scaleUpEvents);
        scaleDownEvents = List.copyOf(scaleDownEvents);
    }

    /** A number of replicas at a time. */
    public record Entry(Instant time, int replicas) {}
}
