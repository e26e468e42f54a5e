package dev.zkscale.simulate;

import dev.zkscale.core.TargetConfig;

/**
 * The CPU the workload asks for over time, in millicores, from a trace: either scaled so that the trace's highest
 * value is a given peak ({@code value(t) / max(value) * peak}, in that order, in doubles; 0 throughout for a trace of
 * zeros), or the trace's values as they are (a trace measured in millicores, as {@code --record} derives).
 */
public final class Demand {
    private final Trace trace;
    private final double peak;
    private final boolean scaled;

    private Demand(Trace trace, double peak, boolean scaled) {
        this.trace = trace;
        this.peak = peak;
        this.scaled = scaled;
    }

    /** The trace scaled so that its highest value is {@code peakMilliCpu}. */
    public static Demand scaled(Trace trace, double peakMilliCpu) {
        return new Demand(trace, peakMilliCpu, true);
    }

    /** The trace's values, taken as millicores. */
    public static Demand measured(Trace trace) {
        return new Demand(trace, trace.max(), false);
    }

    /**
     * The default peak: 90% of {@code maxReplicas} pods at the target utilization of {@code config}
     * ({@code 0.9 * maxReplicas * request * target / 100}).
     */
    public static double defaultPeak(TargetConfig config, long requestMilliCpu) {
        return 0.9 * config.maxReplicas() * requestMilliCpu * config.targetCPUUtilizationPercentage() / 100;
    }

    /** The demand at trace second {@code t}, in millicores. */
    public double at(double t) {
        double value = trace.valueAt(t);
        if (!scaled) {
            return value;
        }
        return trace.max() == 0 ? 0 : value / trace.max() * peak;
    }

    /** The highest demand, in millicores. */
    public double peak() {
        return trace.max() == 0 ? 0 : peak;
    }

    public Trace trace() {
        return trace;
    }
}
