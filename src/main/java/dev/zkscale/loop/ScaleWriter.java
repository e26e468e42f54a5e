package dev.zkscale.loop;

/**
 * The fenced scale write: the one call through which the loop changes a cluster.
 *
 * <p>The write is conditioned on what the pass read: the API server refuses it if the workload changed since
 * {@code workload} was read (its {@link Workload#resourceVersion()} and {@link Workload#epochAnnotation()} are the
 * precondition), so a deposed leader's late write cannot land after a newer leader's. The implementation does not
 * read the workload again before writing.
 */
public interface ScaleWriter {

    /**
     * Sets the workload's replicas and its leader-epoch annotation to {@code epoch}, conditioned as above; never sent
     * when {@code workload.writtenEpoch()} is already newer than {@code epoch}. Never throws.
     */
    WriteResult scale(Workload workload, int replicas, long epoch);

    /**
     * What became of a scale write.
     *
     * @param result {@link Result#SUCCESS}, {@link Result#FENCED} (a newer leader's epoch is on the object: never retry
     *     with this epoch), or {@link Result#FAILURE} (an unrelated change, an API error or a timeout: retry on the
     *     next pass with a fresh read)
     * @param detail what happened, for logs and Events
     */
    record WriteResult(Result result, String detail) {
        /** The kinds of outcome, as counted in {@code zkscale_scale_operations_total{result}}. */
        public enum Result {
            SUCCESS,
            FENCED,
            FAILURE
        }
    }
}
