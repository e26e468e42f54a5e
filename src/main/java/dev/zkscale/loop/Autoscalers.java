package dev.zkscale.loop;

/**
 * The cluster's other autoscalers: HorizontalPodAutoscalers whose {@code scaleTargetRef} names a workload zkscale
 * manages. Two autoscalers of one workload overwrite each other's {@code spec.replicas} every pass, so the loop passes
 * what this port finds into the decision ({@link dev.zkscale.core.Snapshot#competingAutoscaler()}), which then keeps
 * the size until the other autoscaler is gone.
 *
 * <p>Read from a watch-fed cache: no request per call, and as stale as the watch.
 */
public interface Autoscalers {

    /**
     * The autoscalers other than zkscale that scale the workload, described for people (for example
     * {@code "HorizontalPodAutoscaler web (autoscaling/v2)"}, several joined by commas, sorted), or null when there is
     * none.
     */
    String competing(Workload workload);
}
