package dev.zkscale.loop;

import dev.zkscale.core.Pod;
import java.util.List;
import java.util.Optional;

/**
 * The scale targets and their pods, read from watch-fed caches: no request per target per pass. The caches lag the
 * API server by the watch latency, so what they return may already be stale; the write's precondition
 * ({@link ScaleWriter}) is what catches that.
 */
public interface Workloads {

    /**
     * The workload from the cache, or empty when it does not exist (or is not yet cached).
     *
     * @throws IllegalArgumentException for a kind other than {@code Deployment} or {@code StatefulSet}
     */
    Optional<Workload> workload(String namespace, String kind, String name);

    /** The pods the workload's selector lists, from the cache, sorted by name. */
    List<Pod> pods(Workload workload);
}
