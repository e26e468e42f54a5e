package dev.zkscale.core;

import java.time.Instant;
import java.util.List;

/**
 * One {@code metrics.k8s.io} PodMetrics item.
 *
 * @param pod the pod's name; it may name a pod the selector does not list
 * @param timestamp when the sample was taken
 * @param windowSeconds the window the sample covers
 * @param containers per-container usage; {@code usageMilliCpu} is null when a container reports no CPU
 */
public record PodMetrics(String pod, Instant timestamp, long windowSeconds, List<Usage> containers) {

    public PodMetrics {
        containers = List.copyOf(containers);
    }

    /** One container's CPU usage in millicores, or null when it reports none. */
    public record Usage(String name, Long usageMilliCpu) {}
}
