package dev.zkscale.coordination;

import dev.zkscale.loop.Leadership;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;

/**
 * Watches what {@link Leadership#epoch()} returns on several instances, from one thread, and keeps every change in the
 * order seen. Each pass reads the instances in the order given, so the order of two changes in the log is the order in
 * which a caller reading them in that order saw them. Used to assert orderings, never durations; the durations are
 * printed as measurements.
 */
final class EpochRecorder implements AutoCloseable {
    /** One change: {@code who}'s epoch became {@code epoch} at {@code nanos} (System.nanoTime). */
    record Change(long nanos, String who, OptionalLong epoch) {}

    private final Map<String, Leadership> watched = new LinkedHashMap<>();
    private final List<Change> changes = new ArrayList<>();
    private final Thread thread;
    private final CountDownLatch firstPass = new CountDownLatch(1);
    private volatile boolean running = true;

    /** Starts watching the named instances, read in this order; returns once each one's current epoch is logged. */
    EpochRecorder(List<Map.Entry<String, ? extends Leadership>> instances) throws InterruptedException {
        instances.forEach(e -> watched.put(e.getKey(), e.getValue()));
        thread = new Thread(this::run, "epoch-recorder");
        thread.setDaemon(true);
        thread.start();
        firstPass.await();
    }

    private void run() {
        Map<String, OptionalLong> last = new LinkedHashMap<>();
        while (running) {
            record(last);
            firstPass.countDown();
            LockSupport.parkNanos(100_000);
        }
        // One more pass after close() was called: whatever the caller saw before closing is in the log.
        record(last);
    }

    private void record(Map<String, OptionalLong> last) {
        for (Map.Entry<String, Leadership> e : watched.entrySet()) {
            OptionalLong now = e.getValue().epoch();
            if (!now.equals(last.get(e.getKey()))) {
                last.put(e.getKey(), now);
                synchronized (changes) {
                    changes.add(new Change(System.nanoTime(), e.getKey(), now));
                }
            }
        }
    }

    List<Change> changes() {
        synchronized (changes) {
            return List.copyOf(changes);
        }
    }

    /** The index of the first change after {@code from} where {@code who}'s epoch became {@code epoch}, or -1. */
    int indexOf(String who, OptionalLong epoch, int from) {
        List<Change> all = changes();
        for (int i = Math.max(from, 0); i < all.size(); i++) {
            if (all.get(i).who().equals(who) && all.get(i).epoch().equals(epoch)) {
                return i;
            }
        }
        return -1;
    }

    /** The index of the first change after {@code from} where {@code who} got any epoch, or -1. */
    int indexOfAnyEpoch(String who, int from) {
        List<Change> all = changes();
        for (int i = Math.max(from, 0); i < all.size(); i++) {
            if (all.get(i).who().equals(who) && all.get(i).epoch().isPresent()) {
                return i;
            }
        }
        return -1;
    }

    /** The index of the first change after {@code from} where anyone got an epoch above {@code epoch}, or -1. */
    int indexOfEpochAbove(long epoch, int from) {
        List<Change> all = changes();
        for (int i = Math.max(from, 0); i < all.size(); i++) {
            if (all.get(i).epoch().orElse(0) > epoch) {
                return i;
            }
        }
        return -1;
    }

    /** Every epoch {@code who} ever reported, in order. */
    List<Long> epochsOf(String who) {
        return epochsOf(who, 0);
    }

    /** Every epoch {@code who} reported from change {@code from} on, in order. */
    List<Long> epochsOf(String who, int from) {
        List<Long> epochs = new ArrayList<>();
        List<Change> all = changes();
        for (int i = Math.max(from, 0); i < all.size(); i++) {
            if (all.get(i).who().equals(who) && all.get(i).epoch().isPresent()) {
                epochs.add(all.get(i).epoch().getAsLong());
            }
        }
        return epochs;
    }

    long nanosAt(int index) {
        return changes().get(index).nanos();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join();
    }
}
