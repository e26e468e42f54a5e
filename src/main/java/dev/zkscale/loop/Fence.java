package dev.zkscale.loop;

import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The fence a new leader puts up on a workload its first decision did not write (a write is a fence in itself): it
 * stamps its epoch on the workload with a conditional write. The stamp changes the object's {@code resourceVersion}
 * and epoch annotation, which every write prepared under an older epoch tests ({@link ScaleWriter}), so the API
 * server refuses such a late write, on every stamped workload, whether or not this leader ever changes its size.
 *
 * <p>The stamp is conditioned on what was read: the epoch annotation as read (or, on a workload without one, its
 * {@code resourceVersion}), so a stamp never overwrites a newer leader's epoch. Stamps are sent concurrently, within a
 * client-side rate limit, and stop being sent once {@code leading} says the term ended.
 */
public interface Fence {

    /**
     * Stamps {@code epoch} on each workload; one {@link Stamp} per workload, in order. A workload that already carries
     * an epoch above {@code epoch} is {@code FENCED} without a request. Interrupting the calling thread abandons the
     * requests in flight and sends no more (their stamps are {@code FAILURE}). Never throws.
     */
    List<Stamp> stamp(List<Workload> workloads, long epoch, BooleanSupplier leading);

    /**
     * What became of one stamp.
     *
     * @param result {@code SUCCESS} (the workload carries {@code epoch} now), {@code FENCED} (it carries a newer one)
     *     or {@code FAILURE} (not stamped: retry on the next pass)
     * @param stamped the workload as the API server returned it after the stamp: what the leader saw of it last (the
     *     cache may not show the stamp yet); null unless {@code SUCCESS}
     * @param detail what happened, for logs
     */
    record Stamp(ScaleWriter.WriteResult.Result result, Workload stamped, String detail) {}
}
