package dev.zkscale.loop;

import dev.zkscale.core.Decision;
import dev.zkscale.core.Snapshot;
import dev.zkscale.core.TargetRef;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last decisions of each target with the snapshots they were made from, so that any of them can be replayed
 * with {@code zkscale explain}. Bounded: at most {@code depth} entries per target, and a target that stops being
 * managed is dropped. Written by the loop, read concurrently by the HTTP API.
 */
public final class DecisionRecord {
    private final int depth;
    private final Map<TargetRef, Deque<Entry>> entries = new ConcurrentHashMap<>();

    /** One decision and what it was made from, plus what became of its write ({@code null} when none was made). */
    public record Entry(Snapshot snapshot, Decision decision, String write) {
    }

    public DecisionRecord(int depth) {
        this.depth = depth;
    }

    void add(Entry entry) {
        Deque<Entry> deque = entries.computeIfAbsent(entry.snapshot().target(), t -> new ArrayDeque<>(depth));
        synchronized (deque) {
            if (deque.size() == depth) {
                deque.removeFirst();
            }
            deque.addLast(entry);
        }
    }

    void retain(Set<TargetRef> managed) {
        entries.keySet().retainAll(managed);
    }

    /** The targets with at least one recorded decision, sorted. */
    public Set<TargetRef> targets() {
        Set<TargetRef> sorted = new TreeSet<>((a, b) -> a.toString().compareTo(b.toString()));
        sorted.addAll(entries.keySet());
        return sorted;
    }

    /** The target's recorded decisions, oldest first; empty when it has none. */
    public List<Entry> decisions(TargetRef target) {
        Deque<Entry> deque = entries.get(target);
        if (deque == null) {
            return List.of();
        }
        synchronized (deque) {
            return new ArrayList<>(deque);
        }
    }
}
