package dev.zkscale.loop;

import dev.zkscale.core.Mode;
import dev.zkscale.core.TargetConfig;
import dev.zkscale.core.TargetRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.stream.IntStream;
import org.jboss.logging.Logger;

/**
 * The fence a term puts up before its first decisions, the {@link ControlLoop}'s side of it: the term's epoch is
 * stamped through the {@link Fence} on the workload of every target the loop may write (mode Active, not a dry run)
 * whose workload carries an older epoch, all such targets at once, so that a write an older leader prepared is refused
 * by the API server even on a target this leader never changes. A target whose stamp failed gets no decision this pass
 * and is stamped again on the next; one that was stamped is decided with the workload the stamp returned (the cache
 * may not show the stamp yet). Targets that already carry the term's epoch need no stamp, so after a term's first pass
 * this costs nothing.
 *
 * <p>A target that carries an epoch above the term's (a reset counter, another ZooKeeper ensemble or root, a person's
 * edit, or a newer leader) makes it ask {@link Leadership#advancePast}: the pass goes on under the advanced epoch, with
 * an {@code EpochAdvanced} Warning Event; or the epoch cannot be advanced now and that target gets no decision this
 * pass; or this instance turns out to be deposed and the pass ends. The stamps run under
 * {@link Leadership#whileLeading}, which abandons them when the term ends.
 *
 * <p>Used by the loop's one thread, one pass at a time; it keeps nothing between passes.
 */
final class Takeover {
    private static final Logger LOG = Logger.getLogger(Takeover.class);

    static final String EPOCH_ADVANCED = "EpochAdvanced";

    private final Leadership leadership;
    private final Fence fence;
    private final Monitor monitor;
    private final EventSink events;
    private final boolean dryRun;
    private final Runnable heartbeat;

    /**
     * What the fence left of a pass's due targets.
     *
     * @param epoch the epoch the pass goes on under: the term's, or the one leadership advanced to past a foreign
     *     epoch
     * @param due the targets to decide, in order, each with the workload to decide and write with
     * @param leading false when this instance no longer leads and the pass must end
     */
    record Fenced(long epoch, List<ControlLoop.Due> due, boolean leading) {}

    /**
     * @param dryRun the controller never writes, so it stamps nothing either
     * @param heartbeat run as each stamp is about to go out (the fence asks whether the term goes on), so that the
     *     thousands of stamps of a first pass show the loop's progress
     */
    Takeover(
            Leadership leadership, Fence fence, Monitor monitor, EventSink events, boolean dryRun, Runnable heartbeat) {
        this.leadership = leadership;
        this.fence = fence;
        this.monitor = monitor;
        this.events = events;
        this.dryRun = dryRun;
        this.heartbeat = heartbeat;
    }

    /**
     * Fences the due targets of a pass of the term of {@code term} (its epoch): first each target of a foreign or newer
     * epoch is dealt with, then the stamps go out together.
     */
    Fenced fence(long term, List<ControlLoop.Due> due) {
        if (dryRun) {
            return new Fenced(term, due, true);
        }
        long epoch = term;
        // A target that gets no decision this pass becomes null.
        List<ControlLoop.Due> fenced = new ArrayList<>(due);
        for (int i = 0; i < fenced.size(); i++) {
            ControlLoop.Due d = fenced.get(i);
            long found = d.workload().writtenEpoch();
            if (!written(d) || found <= epoch) {
                continue;
            }
            OptionalLong advanced = leadership.advancePast(epoch, found);
            if (advanced.isPresent()) {
                epochAdvanced(d, found, epoch, advanced.getAsLong());
                epoch = advanced.getAsLong();
                continue;
            }
            boolean deposed = !leadership.leads(epoch);
            monitor.foreignEpoch(deposed ? Monitor.ForeignEpoch.DEPOSED : Monitor.ForeignEpoch.FAILED);
            LOG.warnf(
                    "%s carries leader epoch %d, above ours (%d), and %s",
                    d.target(),
                    found,
                    epoch,
                    deposed
                            ? "the epoch counter has moved past ours: deposed, pass ends"
                            : "the epoch could not be advanced now: no decision this pass");
            if (deposed) {
                return new Fenced(epoch, List.of(), false);
            }
            fenced.set(i, null);
        }
        boolean leading = stamp(epoch, fenced);
        return new Fenced(epoch, fenced.stream().filter(Objects::nonNull).toList(), leading);
    }

    /** Whether the target's workload may be written, so must carry the term's epoch first. */
    private boolean written(ControlLoop.Due d) {
        return d.config().mode() == Mode.Active;
    }

    /** Leadership advanced past the target's epoch: counted, logged, and a Warning Event on the workload. */
    private void epochAdvanced(ControlLoop.Due d, long found, long ours, long advanced) {
        monitor.foreignEpoch(Monitor.ForeignEpoch.ADVANCED);
        String message = "the workload carries leader epoch " + found + ", above this leader's " + ours
                + " (an epoch counter reset, another ZooKeeper ensemble or root, or an edit): epoch advanced to "
                + advanced;
        LOG.warnf("%s: %s", d.target(), message);
        if (leadership.leads(advanced)) {
            TargetRef target = d.target();
            TargetConfig config = d.config();
            events.event(target.namespace(), config.kind(), config.workloadName(), true, EPOCH_ADVANCED, message);
        }
    }

    /**
     * Stamps {@code epoch} on the written targets of {@code fenced} that carry an older one, replacing each with the
     * stamped workload, or with null where the stamp failed. False when the term ended meanwhile.
     */
    private boolean stamp(long epoch, List<ControlLoop.Due> fenced) {
        List<Integer> unstamped = IntStream.range(0, fenced.size())
                .filter(i -> fenced.get(i) != null
                        && written(fenced.get(i))
                        && fenced.get(i).workload().writtenEpoch() < epoch)
                .boxed()
                .toList();
        if (unstamped.isEmpty()) {
            return true;
        }
        long started = System.nanoTime();
        List<Workload> workloads =
                unstamped.stream().map(i -> fenced.get(i).workload()).toList();
        List<Fence.Stamp> stamps = leadership.whileLeading(
                epoch,
                () -> fence.stamp(workloads, epoch, () -> {
                    heartbeat.run();
                    return leadership.leads(epoch);
                }));
        int failed = 0;
        String firstFailure = null;
        for (int k = 0; k < unstamped.size(); k++) {
            int i = unstamped.get(k);
            Fence.Stamp stamp = stamps.get(k);
            monitor.stamp(stamp.result());
            if (stamp.result() == ScaleWriter.WriteResult.Result.SUCCESS) {
                fenced.set(i, fenced.get(i).on(stamp.stamped()));
            } else {
                fenced.set(i, null);
                failed++;
                firstFailure = firstFailure == null ? stamp.detail() : firstFailure;
            }
        }
        LOG.infof(
                "epoch %d stamped on %d of %d targets in %d ms%s",
                epoch,
                unstamped.size() - failed,
                unstamped.size(),
                Duration.ofNanos(System.nanoTime() - started).toMillis(),
                failed == 0 ? "" : "; not on " + failed + ", retried next pass (first: " + firstFailure + ")");
        if (!leadership.leads(epoch)) {
            LOG.infof("leadership lost while stamping epoch %d; pass ends", epoch);
            return false;
        }
        return true;
    }
}
