package dev.zkscale.core;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The HPA's CPU utilization replica calculation (upstream {@code GetResourceReplicas}): samples, pod grouping,
 * requests, request-weighted utilization, tolerance and the rebalance for missing and unready pods. Pure: the time
 * is the snapshot's.
 */
final class ReplicaCalculator {

    private ReplicaCalculator() {}

    /** How the listed pods were classified. */
    record Grouping(int readyPods, SortedSet<String> unready, SortedSet<String> missing, SortedSet<String> ignored) {
        static final Grouping NONE = new Grouping(0, new TreeSet<>(), new TreeSet<>(), new TreeSet<>());
    }

    /**
     * The formula's proposal, or why there is none ({@code failure} and {@code error}, its words); {@code grouping} as
     * far as it got.
     */
    record Proposal(
            Grouping grouping, int replicas, int utilization, long rawAverage, Outcome.Reason failure, String error) {
        static Proposal of(Grouping grouping, int replicas, int utilization, long rawAverage) {
            return new Proposal(grouping, replicas, utilization, rawAverage, null, null);
        }

        static Proposal failed(Grouping grouping, Outcome.Reason failure, String error) {
            return new Proposal(grouping, 0, 0, 0, failure, error);
        }
    }

    private record Sample(long milliCpu, Instant timestamp, long windowSeconds) {}

    private record Ratio(double ratio, int utilization, long rawAverage) {}

    static Proposal calculate(Snapshot snapshot) {
        TargetConfig config = snapshot.config();
        if (snapshot.metricsError() != null) {
            return Proposal.failed(
                    Grouping.NONE,
                    Outcome.Reason.METRICS_API_UNAVAILABLE,
                    "unable to get metrics for resource cpu: unable to fetch metrics from resource metrics API: "
                            + snapshot.metricsError());
        }
        if (snapshot.podMetrics().isEmpty()) {
            return Proposal.failed(
                    Grouping.NONE,
                    Outcome.Reason.NO_METRICS,
                    "unable to get metrics for resource cpu: no metrics returned from resource metrics API");
        }
        if (snapshot.pods().isEmpty()) {
            return Proposal.failed(
                    Grouping.NONE,
                    Outcome.Reason.NO_PODS,
                    "no pods returned by selector while calculating replica count");
        }
        Map<String, Sample> samples = samples(snapshot.podMetrics(), config.container());
        Grouping grouping = group(snapshot.pods(), samples, snapshot.now(), config);
        samples.keySet().removeAll(grouping.ignored());
        samples.keySet().removeAll(grouping.unready());
        if (samples.isEmpty()) {
            return Proposal.failed(
                    grouping,
                    Outcome.Reason.NO_READY_POD_METRICS,
                    "did not receive metrics for targeted pods (pods might be unready)");
        }
        Map<String, Long> requests = new HashMap<>();
        for (Pod pod : snapshot.pods()) {
            Proposal failed = addRequest(grouping, pod, config.container(), requests);
            if (failed != null) {
                return failed;
            }
        }

        int target = config.targetCPUUtilizationPercentage();
        Map<String, Long> usage = new LinkedHashMap<>();
        samples.forEach((pod, sample) -> usage.put(pod, sample.milliCpu()));
        Ratio first = ratio(usage, requests, target);
        if (first == null) {
            return Proposal.failed(
                    grouping, Outcome.Reason.METRICS_MATCH_NO_PODS, "no metrics returned matched known pods");
        }
        double usageRatio = first.ratio();
        int current = snapshot.specReplicas();
        double down = config.scaleDownTolerance();
        double up = config.scaleUpTolerance();

        boolean scaleUpWithUnready = !grouping.unready().isEmpty() && usageRatio > 1.0;
        if (!scaleUpWithUnready && grouping.missing().isEmpty()) {
            int replicas = within(usageRatio, down, up) ? current : ceil(usageRatio * grouping.readyPods());
            return Proposal.of(grouping, replicas, first.utilization(), first.rawAverage());
        }

        if (usageRatio < 1.0) {
            // Missing pods on the way down are assumed at 100% of request, or at the target when it is higher.
            long fallback = Math.max(100, target);
            grouping.missing().forEach(pod -> usage.put(pod, requests.get(pod) * fallback / 100));
        } else if (usageRatio > 1.0) {
            grouping.missing().forEach(pod -> usage.put(pod, 0L));
        }
        if (scaleUpWithUnready) {
            grouping.unready().forEach(pod -> usage.put(pod, 0L));
        }
        double newRatio = ratio(usage, requests, target).ratio();
        boolean flips = (usageRatio < 1.0 && newRatio > 1.0) || (usageRatio > 1.0 && newRatio < 1.0);
        int replicas = current;
        if (!within(newRatio, down, up) && !flips) {
            int rebalanced = ceil(newRatio * usage.size());
            boolean countFlips = (newRatio < 1.0 && rebalanced > current) || (newRatio > 1.0 && rebalanced < current);
            replicas = countFlips ? current : rebalanced;
        }
        return Proposal.of(grouping, replicas, first.utilization(), first.rawAverage());
    }

    /**
     * Per-pod CPU samples; a pod with a container reporting no CPU (or, in container mode, no such container) has none.
     */
    private static Map<String, Sample> samples(List<PodMetrics> items, String container) {
        Map<String, Sample> samples = new LinkedHashMap<>();
        for (PodMetrics item : items) {
            Long value = container == null ? podSum(item.containers()) : containerUsage(item.containers(), container);
            if (value != null) {
                samples.put(item.pod(), new Sample(value, item.timestamp(), item.windowSeconds()));
            }
        }
        return samples;
    }

    private static Long podSum(List<PodMetrics.Usage> containers) {
        if (containers.isEmpty()) {
            return null;
        }
        long sum = 0;
        for (PodMetrics.Usage usage : containers) {
            if (usage.usageMilliCpu() == null) {
                return null;
            }
            sum += usage.usageMilliCpu();
        }
        return sum;
    }

    private static Long containerUsage(List<PodMetrics.Usage> containers, String container) {
        for (PodMetrics.Usage usage : containers) {
            if (usage.name().equals(container)) {
                return usage.usageMilliCpu();
            }
        }
        return null;
    }

    private static Grouping group(List<Pod> pods, Map<String, Sample> samples, Instant now, TargetConfig config) {
        int ready = 0;
        SortedSet<String> unready = new TreeSet<>();
        SortedSet<String> missing = new TreeSet<>();
        SortedSet<String> ignored = new TreeSet<>();
        for (Pod pod : pods) {
            if (pod.deleting() || "Failed".equals(pod.phase())) {
                ignored.add(pod.name());
            } else if ("Pending".equals(pod.phase())) {
                unready.add(pod.name());
            } else if (!samples.containsKey(pod.name())) {
                missing.add(pod.name());
            } else if (isUnready(pod, samples.get(pod.name()), now, config)) {
                unready.add(pod.name());
            } else {
                ready++;
            }
        }
        return new Grouping(ready, unready, missing, ignored);
    }

    private static boolean isUnready(Pod pod, Sample sample, Instant now, TargetConfig config) {
        if (pod.ready() == Pod.Readiness.NONE || pod.startTime() == null) {
            return true;
        }
        boolean notReady = pod.ready() == Pod.Readiness.FALSE;
        if (pod.startTime().plusSeconds(config.cpuInitializationPeriodSeconds()).isAfter(now)) {
            // Still initializing: the sample counts only from a ready pod, a full metric window after it turned ready.
            return notReady
                    || sample.timestamp().isBefore(pod.readyTransitionTime().plusSeconds(sample.windowSeconds()));
        }
        // Initialized: left out only if it has never been ready since it started.
        return notReady
                && pod.startTime()
                        .plusSeconds(config.initialReadinessDelaySeconds())
                        .isAfter(pod.readyTransitionTime());
    }

    /** Adds the pod's CPU request (regular containers, then sidecars) to {@code requests}; a failure, or null. */
    private static Proposal addRequest(Grouping grouping, Pod pod, String container, Map<String, Long> requests) {
        long request = 0;
        for (boolean sidecars : new boolean[] {false, true}) {
            for (Pod.Container c : pod.containers()) {
                if (c.restartableInit() != sidecars || (container != null && !container.equals(c.name()))) {
                    continue;
                }
                if (c.requestMilliCpu() == null) {
                    return Proposal.failed(
                            grouping,
                            Outcome.Reason.MISSING_CPU_REQUEST,
                            "missing request for cpu in container " + c.name() + " of Pod " + pod.name());
                }
                request += c.requestMilliCpu();
                if (container != null) {
                    requests.put(pod.name(), request);
                    return null;
                }
            }
        }
        if (container != null) {
            return Proposal.failed(
                    grouping,
                    Outcome.Reason.CONTAINER_NOT_FOUND,
                    "container " + container + " not found in Pod " + pod.name());
        }
        requests.put(pod.name(), request);
        return null;
    }

    /** Request-weighted utilization over the pods that have a request; null when their requests sum to zero. */
    private static Ratio ratio(Map<String, Long> usage, Map<String, Long> requests, int target) {
        long usageSum = 0;
        long requestSum = 0;
        int count = 0;
        for (Map.Entry<String, Long> entry : usage.entrySet()) {
            Long request = requests.get(entry.getKey());
            if (request != null) {
                usageSum += entry.getValue();
                requestSum += request;
                count++;
            }
        }
        if (requestSum == 0) {
            return null;
        }
        // Truncated to whole percent before the ratio is taken, as upstream does. Upstream's int32 conversion would
        // wrap an absurd utilization (over 21 million percent) to a negative one; we saturate instead.
        long percent = usageSum <= Long.MAX_VALUE / 100 ? usageSum * 100 / requestSum : Long.MAX_VALUE;
        int utilization = (int) Math.min(Integer.MAX_VALUE, percent);
        return new Ratio((double) utilization / (double) target, utilization, usageSum / count);
    }

    static boolean within(double ratio, double downTolerance, double upTolerance) {
        return 1.0 - downTolerance <= ratio && ratio <= 1.0 + upTolerance;
    }

    private static int ceil(double replicas) {
        return (int) Math.ceil(replicas);
    }
}
