package dev.zkscale.app;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;

/** {@code zkscale run}: the controller in the Quarkus runtime, its loop driven by the scheduler. */
@ApplicationScoped
public class ControllerBean {
    private static final Duration SECOND = Duration.ofSeconds(1);

    @Inject
    ZkscaleSettings settings;

    @Inject
    MeterRegistry registry;

    @Inject
    KubernetesClients.Settings kubernetesSettings;

    private volatile Controller controller;
    private KubernetesClient kubernetes;

    void start(@Observes StartupEvent event) {
        kubernetes = KubernetesClients.create(kubernetesSettings);
        // Decisions in whole seconds, as the API server writes its times: every target of a pass then shares its
        // `now`, and the times of the histories and the decision record repeat from target to target (formatted
        // once, compressed well), instead of one microsecond-precise time per target.
        Controller started = Controller.start(settings, kubernetes, registry, Clock.tick(Clock.systemUTC(), SECOND));
        started.passAtEachTerm();
        controller = started;
    }

    /** The running controller, or null before start-up and after shutdown. */
    Controller controller() {
        return controller;
    }

    /** One pass every {@code zkscale.sync-period}; its default is the mapping's, which Quarkus resolves here. */
    @Scheduled(every = "${zkscale.sync-period}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void pass() {
        Controller c = controller;
        if (c != null) {
            c.tick();
        }
    }

    void stop(@Observes ShutdownEvent event) {
        Controller c = controller;
        controller = null;
        if (c != null) {
            c.close();
        }
        if (kubernetes != null) {
            kubernetes.close();
        }
    }
}
