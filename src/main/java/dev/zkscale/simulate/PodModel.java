package dev.zkscale.simulate;

/**
 * The model of the workload's pods and of the metrics pipeline (docs/simulate.md, "The model"), times in seconds.
 *
 * @param syncPeriodSeconds the time between two passes ({@code --sync-period})
 * @param podStartSeconds how long a new pod is Pending ({@code --pod-start})
 * @param podReadySeconds how long a started pod is Running but not Ready ({@code --pod-ready})
 * @param metricsLagSeconds how old the metrics a pass reads are ({@code --metrics-lag})
 * @param requestMilliCpu each pod's CPU request
 * @param limitMilliCpu the most CPU a pod can use
 * @param startupMilliCpu what a Running pod that is not Ready uses
 * @param initialReplicas the pods at the first pass, or null for each config's {@code minReplicas}
 */
public record PodModel(
        double syncPeriodSeconds,
        double podStartSeconds,
        double podReadySeconds,
        double metricsLagSeconds,
        long requestMilliCpu,
        long limitMilliCpu,
        long startupMilliCpu,
        Integer initialReplicas) {}
