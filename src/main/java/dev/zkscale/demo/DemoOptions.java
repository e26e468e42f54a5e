package dev.zkscale.demo;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What the demo is asked to do ({@code zkscale demo}'s options).
 *
 * @param duration how long the story runs in real time, from {@link #MIN_DURATION} to {@link #MAX_DURATION}
 * @param trace a {@code seconds,value} CSV file driving the load, or null for the built-in curve
 * @param config a target config file for {@code web}, or null for the demo's own
 * @param port the {@code /q/metrics} port (0: any free one)
 * @param failover how the leader is stopped halfway
 * @param verbose show the controllers' and libraries' logs
 */
public record DemoOptions(Duration duration, Path trace, Path config, int port, Failover failover, boolean verbose) {
    public static final Duration MIN_DURATION = Duration.ofSeconds(20);
    public static final Duration MAX_DURATION = Duration.ofHours(1);

    /** How the leader goes away halfway. */
    public enum Failover {
        /** Its passes stop and its ZooKeeper connection is cut: the standby leads once the session expires. */
        CRASH,
        /** It closes, as on SIGTERM: the latch is released and the standby leads at once. */
        STOP
    }
}
