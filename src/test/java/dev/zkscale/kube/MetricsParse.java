package dev.zkscale.kube;

import java.io.IOException;

/** The controller's PodMetrics list parser, for benchmarks outside this package. */
public final class MetricsParse {
    private MetricsParse() {}

    /** Parses a PodMetricsList response body; returns how many items were read. */
    public static int items(byte[] body) throws IOException {
        return PodMetricsList.parse(body).items().size();
    }
}
