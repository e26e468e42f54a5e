package dev.zkscale.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link PassBench} at a tiny size, so that the benchmark keeps working (runs after {@code package}: it starts
 * {@code bin/zkscale run}). No timing is asserted; what a steady pass requests is.
 */
class PassBenchIT {

    @Test
    @DisplayName("PassBench runs end to end; a steady pass sends one PodMetrics list per namespace and nothing else")
    void smallRun() throws Exception {
        List<PassBench.Column> columns = PassBench.run(
                "--sizes", "12x2x3",
                "--warmup", "2",
                "--passes", "2",
                // Steady: after the first pass's Events (ConfigApplied, rescales: sent apart, 20 a second) are out
                "--process-warmup", "4",
                "--process-passes", "2",
                "--process-sync", "1s");

        assertEquals(1, columns.size());
        PassBench.Column column = columns.get(0);
        assertEquals(
                Map.of("GET /apis/metrics.k8s.io/v1beta1/namespaces/*/pods", 3.0),
                column.process().requestsPerPass());
        assertTrue(column.process().cpuPerPassMillis() > 0, column.toString());
        assertTrue(column.floorCpuMillis() > 0, column.toString());
        assertTrue(column.process().rss().endsWith("kB"), column.process().rss());
    }
}
