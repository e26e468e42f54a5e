package dev.zkscale.loop;

import dev.zkscale.core.History;
import dev.zkscale.core.TargetConfig;
import dev.zkscale.core.TargetRef;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * Warm failover, the loop's side: when a term starts, the saved decision histories of the managed targets are loaded
 * from a {@link DecisionState}, so that the new leader decides as the old one would have; after each pass, the
 * histories that changed since they were last saved are saved, without the entries no later decision can use
 * ({@link History#retainedFor}), and the state of targets that are gone is deleted. A target whose state is missing or
 * unreadable starts cold (as upstream starts every target), with a log line and {@link Monitor#stateLoadFailed}.
 *
 * <p>Saving and loading run on {@code executor}, which must run tasks one at a time in order (one thread in
 * production, so that a pass does not wait for ZooKeeper; the caller's own thread in tests). Saves never pile up: each
 * works from the newest pass handed over, so a slow store skips intermediate passes, never reorders them. A load waits
 * for the save in progress; the saves of an earlier term still queued are dropped (the store would refuse them: a new
 * term means a new epoch). What was saved is known only on the executor's thread.
 */
public final class DecisionMemory {
    private static final Logger LOG = Logger.getLogger(DecisionMemory.class);
    private static final int NAMES_LOGGED = 10;

    private final DecisionState state;
    private final Monitor monitor;
    private final Executor executor;
    private final AtomicReference<Pass> pending = new AtomicReference<>();

    // Confined to the executor's thread.
    private final Map<TargetRef, History> saved = new HashMap<>();
    private final Set<TargetRef> stored = new HashSet<>();
    private long term = -1;
    private boolean deposed;
    private String saveProblem;

    /**
     * What the loop keeps of a target after a pass.
     *
     * @param history its decision history
     * @param config the config it was decided with, whose windows say how far back the history matters
     */
    public record Kept(History history, TargetConfig config) {}

    private record Pass(long epoch, Instant now, Map<TargetRef, Kept> kept) {}

    /**
     * @param state where histories are kept
     * @param monitor where load and save failures are counted
     * @param executor runs loads and saves one at a time, in order
     */
    public DecisionMemory(DecisionState state, Monitor monitor, Executor executor) {
        this.state = state;
        this.monitor = monitor;
        this.executor = executor;
    }

    /**
     * Starts the term of {@code epoch}: the saved histories of {@code targets}, those without state (or with unreadable
     * state) left out. Blocks until loaded. Never throws: a store that cannot be read starts every target cold.
     */
    public Map<TargetRef, History> takeOver(long epoch, Set<TargetRef> targets) {
        pending.set(null);
        try {
            return CompletableFuture.supplyAsync(() -> load(epoch, targets), executor)
                    .join();
        } catch (CompletionException e) {
            LOG.errorf(e.getCause(), "term %d: loading the decision state failed; every target starts cold", epoch);
            monitor.stateLoadFailed(DecisionState.Failure.UNAVAILABLE, targets.size());
            return Map.of();
        }
    }

    /**
     * A pass of the term of {@code epoch} ended at {@code now} with {@code kept}: every target the loop keeps a history
     * of. Saves what changed in the background; returns at once.
     */
    public void passed(long epoch, Instant now, Map<TargetRef, Kept> kept) {
        if (pending.getAndSet(new Pass(epoch, now, Map.copyOf(kept))) == null) {
            try {
                executor.execute(this::savePending);
            } catch (RejectedExecutionException closing) {
                // The controller is shutting down: the next leader starts from the last save.
            }
        }
    }

    private Map<TargetRef, History> load(long epoch, Set<TargetRef> targets) {
        term = epoch;
        deposed = false;
        saveProblem = null;
        saved.clear();
        stored.clear();
        DecisionState.Loaded loaded;
        try {
            loaded = state.load(epoch, targets);
        } catch (DecisionState.StateException e) {
            deposed = e.failure() == DecisionState.Failure.DEPOSED;
            LOG.warnf(
                    "term %d: no decision state loaded (%s), all %d targets start cold: %s",
                    epoch, e.failure().label(), targets.size(), e.getMessage());
            monitor.stateLoadFailed(e.failure(), targets.size());
            return Map.of();
        }
        stored.addAll(loaded.stored());
        saved.putAll(loaded.histories());
        loaded.unreadable().forEach((target, why) -> {
            LOG.warnf("term %d: the decision state of %s cannot be read, it starts cold: %s", epoch, target, why);
            monitor.stateLoadFailed(DecisionState.Failure.CORRUPT, 1);
        });
        Set<TargetRef> missing = new HashSet<>(targets);
        missing.removeAll(loaded.stored());
        if (!missing.isEmpty()) {
            monitor.stateLoadFailed(DecisionState.Failure.MISSING, missing.size());
        }
        LOG.infof(
                "term %d: decision state of %d of %d targets loaded; %d have none and start cold%s",
                epoch,
                loaded.histories().size(),
                targets.size(),
                missing.size(),
                missing.isEmpty() ? "" : " (" + names(missing) + ")");
        return loaded.histories();
    }

    private void savePending() {
        try {
            save(pending.getAndSet(null));
        } catch (RuntimeException e) {
            LOG.errorf(e, "saving the decision state failed unexpectedly; retried after the next pass");
            monitor.stateSaveFailed(DecisionState.Failure.UNAVAILABLE);
        }
    }

    private void save(Pass pass) {
        if (pass == null || pass.epoch() != term || deposed) {
            return;
        }
        Map<TargetRef, History> changed = new HashMap<>();
        pass.kept().forEach((target, kept) -> {
            History history = kept.history().retainedFor(kept.config(), pass.now());
            if (!history.equals(saved.get(target))) {
                changed.put(target, history);
            }
        });
        Set<TargetRef> deleted = new HashSet<>(stored);
        deleted.removeAll(pass.kept().keySet());
        if (changed.isEmpty() && deleted.isEmpty()) {
            return;
        }
        try {
            for (TargetRef target : state.save(pass.epoch(), changed, deleted)) {
                History history = changed.get(target);
                if (history == null) {
                    saved.remove(target);
                    stored.remove(target);
                } else {
                    saved.put(target, history);
                    stored.add(target);
                }
            }
            if (saveProblem != null) {
                LOG.infof("term %d: decision state saved again", pass.epoch());
                saveProblem = null;
            }
        } catch (DecisionState.StateException e) {
            deposed = e.failure() == DecisionState.Failure.DEPOSED;
            monitor.stateSaveFailed(e.failure());
            if (!Objects.equals(saveProblem, e.getMessage())) {
                saveProblem = e.getMessage();
                LOG.warnf(
                        "term %d: decision state not saved (%s)%s: %s",
                        pass.epoch(),
                        e.failure().label(),
                        deposed ? ", and never again in this term" : ", retried after the next pass",
                        e.getMessage());
            }
        }
    }

    private static String names(Set<TargetRef> targets) {
        return targets.stream()
                        .map(TargetRef::toString)
                        .sorted()
                        .limit(NAMES_LOGGED)
                        .reduce((a, b) -> a + ", " + b)
                        .orElse("")
                + (targets.size() > NAMES_LOGGED ? ", ..." : "");
    }
}
