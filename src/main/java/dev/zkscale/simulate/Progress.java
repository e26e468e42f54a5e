package dev.zkscale.simulate;

import java.io.PrintWriter;

/**
 * Progress of a long run on a terminal: after the first two seconds, a line on standard error rewritten about twice a
 * second ({@code zkscale simulate: config 1 of 2, 45%}), erased at the end. Silent when standard error is not a
 * terminal (as Java sees it: {@code System.console()} is null when either standard stream is redirected).
 */
public final class Progress {
    private static final long CHECK_EVERY = 4096;
    private static final long QUIET_NANOS = 2_000_000_000L;
    private static final long EVERY_NANOS = 500_000_000L;

    private final PrintWriter err;
    private final long start = System.nanoTime();
    private long shown;
    private int width;

    private Progress(PrintWriter err) {
        this.err = err;
    }

    /** Progress on {@code err} when this process runs at a terminal; none otherwise. */
    public static Progress on(PrintWriter err) {
        return new Progress(System.console() != null ? err : null);
    }

    /** The listener that reports the passes of config {@code config} (from 0) of {@code configs}. */
    Simulation.Listener listener(int config, int configs, long passes) {
        if (err == null) {
            return Simulation.Listener.NONE;
        }
        return pass -> {
            if (pass.index() % CHECK_EVERY == 0) {
                long now = System.nanoTime();
                if (now - start > QUIET_NANOS && now - shown > EVERY_NANOS) {
                    shown = now;
                    String line = String.format(
                            "zkscale simulate: config %d of %d, %d%%",
                            config + 1, configs, 100 * pass.index() / passes);
                    width = Math.max(width, line.length());
                    err.print("\r" + line);
                    err.flush();
                }
            }
        };
    }

    /** Erases the progress line, if one was shown. */
    void done() {
        if (width > 0) {
            err.print("\r" + " ".repeat(width) + "\r");
            err.flush();
        }
    }
}
