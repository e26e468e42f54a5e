package dev.zkscale.loop;

import dev.zkscale.core.Mode;
import dev.zkscale.core.TargetConfig;
import dev.zkscale.core.TargetRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.jboss.logging.Logger;

/**
 * The fence a term puts up around its first decisions, the {@link ControlLoop}'s side of it, in two steps of a pass.
 *
 * <p>First, {@link #claim}: a target that carries an epoch above the term's (a reset counter, another ZooKeeper
 * ensemble or root, a person's edit, or a newer leader) makes it ask {@link Leadership#advancePast}: the pass goes on
 * under the advanced epoch, with an {@code EpochAdvanced} Warning Event; or the epoch cannot be advanced now and that
 * target gets no decision this pass; or this instance turns out to be deposed and the pass ends. No request to the API
 * server is needed for this, so it costs nothing on a pass without such targets.
 *
 * <p>Then the loop decides every target from its cached workload, as on any pass, and writes those that need a new
 * size: a scale write is itself a fence, since its JSON Patch tests the {@code resourceVersion} and the epoch
 * annotation as read and sets the term's epoch ({@link ScaleWriter}). Last, {@link #stamp}: the term's epoch is
 * stamped through the {@link Fence} on the workload of every other target the loop may write (mode Active, not a dry
 * run) that carries an older epoch, all at once within the fence's rate limit, and the pass ends when they are done.
 * Targets that already carry the term's epoch need no stamp, so after a term's first pass this costs nothing. A stamp
 * that failed is sent again after the target's decision in the next pass.
 *
 * <p>Why this is safe. A write an older leader prepared (held in a GC pause, behind a slow admission webhook, on the
 * wire) tests the {@code resourceVersion} it read, so the API server refuses it once anything else has changed the
 * object; this term's write or stamp changes it. What the order decides is only when that happens for each target:
 * <ul>
 * <li>A target this pass writes is fenced by the write, earlier than a stamp before all decisions would fence it. If
 * the older write landed first, this write's test fails ({@code FAILURE}, "changed since it was read"; the target is
 * then stamped after the decisions like one not written), or the object carries a newer epoch ({@code FENCED}: a
 * newer leader changed it, which fences it as well; not stamped).</li>
 * <li>A target this pass does not write is fenced by its stamp, which now goes out after the pass's decisions and
 * writes rather than before them: the window in which an older leader's write can still land on it grows by at most
 * the time of one pass's decisions and writes (about 3.5 s at 1,000 targets, cold). Such a write lands before the
 * fence as one in flight at takeover always could; the object the stamp returns carries it, and the loop takes that as
 * what it saw of the target, so the next pass decides from it without calling it another writer.</li>
 * <li>A target whose stamp failed is neither less nor more exposed than before: it is stamped again next pass, and
 * any write of ours fences it meanwhile (before, it got no decision until its stamp landed).</li>
 * </ul>
 * Nothing else relied on "stamped before decided": a decision reads the cache, as every later pass does (the stamp's
 * returned object only served to write over the stamp's own {@code resourceVersion}; a cache that lags an older
 * leader's last write now makes the first write fail its test and be retried next pass, as on any pass); Events are
 * not conditioned on an epoch (each is sent only while the term lasts) and a {@code ConfigApplied} goes out with the
 * target's decision, before the stamps; the warm state is loaded before the pass and saved under its own ZooKeeper
 * guard, independent of the stamps. The foreign-epoch step stays first, so that every decision and write of the pass
 * is made under the epoch the pass ends with.
 *
 * <p>The stamps run under {@link Leadership#whileLeading}, which abandons them when the term ends. Used by the loop's
 * one thread, one pass at a time; it keeps nothing between passes.
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
     * What the foreign-epoch step left of a pass's due targets.
     *
     * @param epoch the epoch the pass goes on under: the term's, or the one leadership advanced to past a foreign
     *     epoch
     * @param due the targets to decide, in order
     * @param leading false when this instance no longer leads and the pass must end
     */
    record Claimed(long epoch, List<ControlLoop.Due> due, boolean leading) {}

    /**
     * What the stamps did.
     *
     * @param stamped the targets stamped
     * @param leading false when the term ended while stamping
     */
    record Stamped(List<Fenced> stamped, boolean leading) {}

    /**
     * A target stamped.
     *
     * @param due the target as it was decided, with the workload the stamp went over
     * @param stamped the workload as the stamp returned it
     */
    record Fenced(ControlLoop.Due due, Workload stamped) {}

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
     * Deals with each due target of a pass of the term of {@code term} (its epoch) that carries a foreign or newer
     * epoch, before anything is decided.
     */
    Claimed claim(long term, List<ControlLoop.Due> due) {
        if (dryRun) {
            return new Claimed(term, due, true);
        }
        long epoch = term;
        List<ControlLoop.Due> claimed = new ArrayList<>(due.size());
        for (ControlLoop.Due d : due) {
            long found = d.workload().writtenEpoch();
            if (!written(d) || found <= epoch) {
                claimed.add(d);
                continue;
            }
            OptionalLong advanced = leadership.advancePast(epoch, found);
            if (advanced.isPresent()) {
                epochAdvanced(d, found, epoch, advanced.getAsLong());
                epoch = advanced.getAsLong();
                claimed.add(d);
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
                return new Claimed(epoch, List.of(), false);
            }
        }
        return new Claimed(epoch, claimed, true);
    }

    /** Whether the target's workload may be written, so must carry the term's epoch. */
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
     * Stamps {@code epoch} on those of {@code unwritten} (targets decided in this pass that no write of the pass
     * changed) that may be written and carry an older epoch, once the pass's decisions are made and written.
     */
    Stamped stamp(long epoch, List<ControlLoop.Due> unwritten) {
        List<ControlLoop.Due> unstamped = dryRun
                ? List.of()
                : unwritten.stream()
                        .filter(d -> written(d) && d.workload().writtenEpoch() < epoch)
                        .toList();
        if (unstamped.isEmpty()) {
            return new Stamped(List.of(), true);
        }
        LOG.infof("epoch %d: this pass's decisions are made and written; stamping %d targets", epoch, unstamped.size());
        long started = System.nanoTime();
        List<Workload> workloads =
                unstamped.stream().map(ControlLoop.Due::workload).toList();
        List<Fence.Stamp> stamps = leadership.whileLeading(
                epoch,
                () -> fence.stamp(workloads, epoch, () -> {
                    heartbeat.run();
                    return leadership.leads(epoch);
                }));
        List<Fenced> stamped = new ArrayList<>(unstamped.size());
        String firstFailure = null;
        for (int i = 0; i < unstamped.size(); i++) {
            Fence.Stamp stamp = stamps.get(i);
            monitor.stamp(stamp.result());
            if (stamp.result() == ScaleWriter.WriteResult.Result.SUCCESS) {
                stamped.add(new Fenced(unstamped.get(i), stamp.stamped()));
            } else if (firstFailure == null) {
                firstFailure = stamp.detail();
            }
        }
        int failed = unstamped.size() - stamped.size();
        LOG.infof(
                "epoch %d stamped on %d of %d targets in %d ms%s",
                epoch,
                stamped.size(),
                unstamped.size(),
                Duration.ofNanos(System.nanoTime() - started).toMillis(),
                failed == 0 ? "" : "; not on " + failed + ", retried next pass (first: " + firstFailure + ")");
        if (!leadership.leads(epoch)) {
            LOG.infof("leadership lost while stamping epoch %d; pass ends", epoch);
            return new Stamped(stamped, false);
        }
        return new Stamped(stamped, true);
    }
}
