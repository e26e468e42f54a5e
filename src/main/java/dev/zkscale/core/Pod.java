package dev.zkscale.core;

import java.time.Instant;
import java.util.List;

/**
 * What the decision needs of one pod that the target's selector lists.
 *
 * @param name the pod's name
 * @param phase {@code Pending}, {@code Running}, {@code Succeeded}, {@code Failed}, {@code Unknown} (or empty)
 * @param ready the status of its {@code Ready} condition
 * @param deleting true when the pod has a deletion timestamp
 * @param startTime {@code status.startTime}, or null when absent
 * @param readyTransitionTime the {@code Ready} condition's last transition time ({@link #VERY_OLD} when absent)
 * @param containers its regular containers and sidecars (restartable init containers), in pod spec order
 */
public record Pod(
        String name,
        String phase,
        Readiness ready,
        boolean deleting,
        Instant startTime,
        Instant readyTransitionTime,
        List<Container> containers) {

    /** The time Go's zero {@code time.Time} stands for: a time before anything else. */
    public static final Instant VERY_OLD = Instant.parse("0001-01-01T00:00:00Z");

    public Pod {
        containers = List.copyOf(containers);
        if (readyTransitionTime == null) {
            readyTransitionTime = VERY_OLD;
        }
    }

    /** The status of a pod's {@code Ready} condition; {@link #NONE} when the pod has no such condition. */
    public enum Readiness {
        TRUE,
        FALSE,
        UNKNOWN,
        NONE
    }

    /**
     * A container's CPU request.
     *
     * @param requestMilliCpu its CPU request in millicores, or null when it sets none
     * @param restartableInit true for a sidecar (an init container with {@code restartPolicy: Always})
     */
    public record Container(String name, Long requestMilliCpu, boolean restartableInit) {}
}
