package dev.zkscale.simulate;

/**
 * What one config did over a trace (docs/simulate.md, "The figures"): its cost and the service it gave, each pass
 * standing for one sync period.
 *
 * @param passes passes simulated
 * @param replicaHours the sum of spec replicas (before each pass's write) times the period, in hours: the cost
 * @param overTargetPercent percent of passes whose demand exceeded the capacity at target times (1 + the scale-up
 *     tolerance), both of the first config
 * @param saturatedPercent percent of passes whose demand exceeded what the Ready pods can use (their limits)
 * @param unservedCoreHours the demand above what the Ready pods can use, in core-hours
 * @param meanUtilizationPercent the CPU served over the CPU the Ready pods request, in percent; 0 if never Ready
 * @param scaleUps passes whose write raised the spec
 * @param scaleDowns passes whose write lowered the spec
 * @param peakReplicas the highest spec ever held, the initial one included
 * @param undecidedPasses passes whose decision had an error (the size was kept)
 */
public record Figures(
        long passes,
        double replicaHours,
        double overTargetPercent,
        double saturatedPercent,
        double unservedCoreHours,
        double meanUtilizationPercent,
        long scaleUps,
        long scaleDowns,
        int peakReplicas,
        long undecidedPasses) {}
