package dev.zkscale.loop;

import dev.zkscale.core.History;
import dev.zkscale.core.TargetRef;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Where the leader keeps each target's decision {@link History} for the next leader (warm failover): saved after the
 * passes that change it, loaded when a term starts. Every call belongs to one term, named by its epoch, and a store
 * must refuse a term that is no longer the newest: a deposed leader never overwrites a newer leader's state, and a
 * leader whose epoch is already outdated loads nothing. Calls come from one thread at a time, in order.
 */
public interface DecisionState {

    /**
     * The saved histories of {@code targets} for the term of {@code epoch}, and which of those targets had state that
     * could not be read; also every target that has state at all, listed or not, so that the caller can delete the
     * state of targets that are gone.
     *
     * @throws StateException when nothing could be loaded (the store is unavailable, or the term is outdated)
     */
    Loaded load(long epoch, Set<TargetRef> targets) throws StateException;

    /**
     * Saves, for the term of {@code epoch}, the histories in {@code changed} and deletes the state of the targets in
     * {@code deleted}, all or nothing per batch the store chooses. Returns the targets whose change was written; the
     * others stay as they were and may be given again.
     *
     * @throws StateException when the term is outdated (then nothing more is written for it) or the store is
     *     unavailable
     */
    Set<TargetRef> save(long epoch, Map<TargetRef, History> changed, Set<TargetRef> deleted) throws StateException;

    /**
     * What a term found.
     *
     * @param histories the histories read, by target
     * @param unreadable the targets whose state exists but could not be read, with why
     * @param stored every target that has state, including those not asked for
     */
    record Loaded(Map<TargetRef, History> histories, Map<TargetRef, String> unreadable, Set<TargetRef> stored) {
        public Loaded {
            histories = Map.copyOf(histories);
            unreadable = Map.copyOf(unreadable);
            stored = Set.copyOf(stored);
        }
    }

    /** Why state was not loaded or saved; a closed set, for a metric's label. */
    enum Failure {
        /** The target has no saved state (a first start, or a target new since the last save). */
        MISSING,
        /** The saved state is not a valid history. */
        CORRUPT,
        /** The store could not be read or written. */
        UNAVAILABLE,
        /** The term is outdated: a newer leader has taken an epoch. */
        DEPOSED;

        /** The metric label. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A load or save that failed as a whole. */
    final class StateException extends Exception {
        private final Failure failure;

        public StateException(Failure failure, String message, Throwable cause) {
            super(message, cause);
            this.failure = failure;
        }

        public Failure failure() {
            return failure;
        }
    }
}
