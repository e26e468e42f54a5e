package dev.zkscale.core;

import java.time.Instant;
import java.util.List;

/** Pods for tests of the decision: Running and Ready since long before, one container "app" requesting 500m. */
public final class ReadyPods {
    private ReadyPods() {}

    /** The pod {@code name}, started and Ready at {@code since}. */
    public static Pod pod(String name, Instant since) {
        return new Pod(
                name,
                "Running",
                Pod.Readiness.TRUE,
                false,
                since,
                since,
                List.of(new Pod.Container("app", 500L, false)));
    }
}
