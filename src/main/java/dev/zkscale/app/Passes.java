package dev.zkscale.app;

import dev.zkscale.loop.ControlLoop;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs the loop's passes one at a time: on the scheduler's tick (skipped while a pass runs), and at once when this
 * instance starts a term, so that a new leader's first decisions do not wait for the next tick (up to a sync period).
 */
final class Passes implements AutoCloseable {
    private final ControlLoop loop;
    private final ReentrantLock running = new ReentrantLock();
    private final ExecutorService prompt;

    Passes(ControlLoop loop, String instanceId) {
        this.loop = loop;
        this.prompt = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "zkscale-term-pass-" + instanceId);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** The scheduler's pass; none when one is running. */
    void tick() {
        if (running.tryLock()) {
            try {
                loop.pass();
            } finally {
                running.unlock();
            }
        }
    }

    /** A pass as soon as the one running (a follower's, ending at once) is done; returns at once. */
    void termStarted() {
        prompt.execute(() -> {
            running.lock();
            try {
                loop.pass();
            } finally {
                running.unlock();
            }
        });
    }

    @Override
    public void close() {
        prompt.shutdownNow();
    }
}
