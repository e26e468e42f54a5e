package dev.zkscale.app;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * {@code /q/health/ready} and {@code /q/health/live} (SmallRye Health), from {@link Controller#readiness()} and
 * {@link Controller#liveness(Duration)}. A follower is ready and alive like the leader: it must be able to take over.
 * Synchronous checks, so Quarkus runs them on a worker thread; the readiness check makes one ZooKeeper read.
 */
final class HealthChecks {
    private static final Duration MIN_LIVENESS_TIMEOUT = Duration.ofSeconds(60);

    private HealthChecks() {}

    /** How long the loop may go without progress: the setting, else 4 sync periods but at least 60 s. */
    static Duration livenessTimeout(Optional<Duration> configured, Duration syncPeriod) {
        return configured.orElseGet(() -> {
            Duration four = syncPeriod.multipliedBy(4);
            return four.compareTo(MIN_LIVENESS_TIMEOUT) < 0 ? MIN_LIVENESS_TIMEOUT : four;
        });
    }

    /** Ready: the ZooKeeper session is connected, the config ZNodes are readable, the Kubernetes caches watch. */
    @Readiness
    @ApplicationScoped
    static class Ready implements HealthCheck {
        @Inject
        ControllerBean bean;

        @Override
        public HealthCheckResponse call() {
            HealthCheckResponseBuilder r = HealthCheckResponse.named("zkscale");
            Controller c = bean.controller();
            if (c == null) {
                return r.down().withData("controller", "starting or stopping").build();
            }
            Controller.Readiness ready = c.readiness();
            r.status(ready.ready())
                    .withData("zookeeperConnected", ready.zookeeperConnected())
                    .withData("configReadable", ready.configProblem() == null)
                    .withData("kubernetesWatching", ready.kubernetesWatching())
                    .withData("leader", c.leadership().epoch().isPresent());
            if (ready.configProblem() != null) {
                r.withData("configProblem", ready.configProblem());
            }
            return r.build();
        }
    }

    /** Alive: the control loop made progress (a pass ended, a target decided, a stamp sent) within the timeout. */
    @Liveness
    @ApplicationScoped
    static class Live implements HealthCheck {
        @Inject
        ControllerBean bean;

        @Inject
        ZkscaleSettings settings;

        @Override
        public HealthCheckResponse call() {
            HealthCheckResponseBuilder r = HealthCheckResponse.named("zkscale-loop");
            Controller c = bean.controller();
            if (c == null) {
                // Starting (caches filling) or stopping: not a reason to be restarted.
                return r.up().withData("controller", "starting or stopping").build();
            }
            Duration timeout = livenessTimeout(settings.livenessTimeout(), settings.syncPeriod());
            Controller.Liveness live = c.liveness(timeout);
            r.status(live.alive())
                    .withData(
                            "lastPass",
                            live.lastPass() == null
                                    ? "none yet"
                                    : live.lastPass().toString())
                    .withData("secondsSinceProgress", live.age().toSeconds())
                    .withData("timeoutSeconds", timeout.toSeconds());
            return r.build();
        }
    }
}
