package dev.zkscale.loop;

import dev.zkscale.core.Decision;
import dev.zkscale.core.TargetConfig;
import dev.zkscale.core.TargetRef;
import java.time.Duration;

/**
 * What the loop reports to dashboards. Label values are closed sets: a target's namespace and name, a direction, a
 * result, a reason from a fixed list; never a pod name. Implementations must be cheap and never throw.
 */
public interface Monitor {

    /** A decision was made for the target (current, desired, utilization, configured target and bounds). */
    void decided(TargetRef target, TargetConfig config, Decision decision);

    /** A scale write ended with {@code result}. */
    void scaleWrite(TargetRef target, boolean up, Cluster.WriteResult.Result result);

    /** A target's config ZNode was rejected (counted once per rejected version). */
    void configRejected(TargetRef target);

    /**
     * The target's config in force is at ZNode data version {@code version} (a 32-bit counter that may wrap). Reported
     * on every pass that manages the target, like {@link #decided}, so the series comes back after {@link #forget}.
     */
    void configVersion(TargetRef target, int version);

    /** No decision could be made for a reason from a closed set (see {@link ControlLoop}). */
    void decisionFailed(String reason);

    /** One pass of the loop took {@code duration}. */
    void pass(Duration duration);

    /** The target's series go away (its ZNode was deleted, or this instance no longer leads). */
    void forget(TargetRef target);

    /** A monitor that reports nothing. */
    Monitor NONE = new Monitor() {
        @Override
        public void decided(TargetRef target, TargetConfig config, Decision decision) {
        }

        @Override
        public void scaleWrite(TargetRef target, boolean up, Cluster.WriteResult.Result result) {
        }

        @Override
        public void configRejected(TargetRef target) {
        }

        @Override
        public void configVersion(TargetRef target, int version) {
        }

        @Override
        public void decisionFailed(String reason) {
        }

        @Override
        public void pass(Duration duration) {
        }

        @Override
        public void forget(TargetRef target) {
        }
    };
}
