package dev.zkscale.app;

import static dev.zkscale.kube.Fixtures.hpa;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zkscale.core.ConditionType;
import dev.zkscale.core.Outcome;
import dev.zkscale.core.TargetRef;
import dev.zkscale.loop.TuningSource.TuningUnavailableException;
import dev.zkscale.monitor.DecisionRecord;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Other writers of a managed workload's replicas, against a real controller (ZooKeeper server, mock API server in
 * CRUD mode): an HPA on the same workload holds zkscale's writes back until it is gone; a change of replicas by
 * someone else is reported and zkscale decides on. Both say so in Events, metrics and the decision record.
 */
class CompetingWritersTest {
    private static final String NS = "shop";
    private static final TargetRef WEB = new TargetRef(NS, "web");

    @RegisterExtension
    final ControllerRig rig = new ControllerRig();

    private KubernetesClient admin;
    private PrometheusMeterRegistry registry;
    private Controller controller;

    @BeforeEach
    void start() throws Exception {
        // Given web at 2 replicas, whose 2 pods use 90% of their request against a 50% target: zkscale wants 4
        admin = rig.api().newClient();
        Shop.busyWeb(admin, rig.zk().getConnectString(), rig.clock.instant().toString());
    }

    /** The controller, leading, with its configs loaded (its caches synced at start). */
    private void startController() {
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        controller = rig.start(TestSettings.of(rig.zk().getConnectString(), "a"), registry);
        await().until(() -> controller.leadership().epoch().isPresent());
        await().ignoreException(TuningUnavailableException.class)
                .until(() -> !controller.tuning().targets().isEmpty());
    }

    @Test
    @DisplayName("an HPA on the workload: zkscale does not write it, says why, and writes again once the HPA is gone")
    void competingHpa() {
        // Given an HPA that scales web too
        admin.autoscaling()
                .v2()
                .horizontalPodAutoscalers()
                .inNamespace(NS)
                .resource(hpa(NS, "web-hpa", "web"))
                .createOr(r -> r.update());

        // When zkscale runs a pass
        startController();
        DecisionRecord.Entry held = pass();

        // Then it wrote nothing, and the decision, its record, an Event and a metric say why
        assertEquals(2, replicas());
        assertEquals(
                Outcome.none(Outcome.Reason.COMPETING_AUTOSCALER),
                held.decision().outcome());
        assertEquals(
                "CompetingAutoscaler",
                held.decision().condition(ConditionType.ScalingActive).reason().name());
        assertEquals(
                "HorizontalPodAutoscaler web-hpa (autoscaling/v2)",
                held.snapshot().competingAutoscaler());
        Event warning = await().until(() -> events("CompetingAutoscaler"), l -> l.size() == 1)
                .get(0);
        assertEquals("Warning", warning.getType());
        assertTrue(warning.getMessage().contains("HorizontalPodAutoscaler web-hpa"), warning.getMessage());
        assertEquals(1, count("zkscale.decisions", "reason", "competing_autoscaler"));
        assertEquals(1, count("zkscale.conflicts", "kind", "hpa"));

        // And once the HPA is gone, zkscale scales again
        admin.autoscaling()
                .v2()
                .horizontalPodAutoscalers()
                .inNamespace(NS)
                .withName("web-hpa")
                .delete();
        await().until(() -> {
            pass();
            return replicas() == 4;
        });
    }

    @Test
    @DisplayName(
            "replicas changed by someone else: a CompetingWriter Warning, counted, in the record; zkscale decides on")
    void replicasChangedByOther() {
        // Given zkscale scaled web to 4
        startController();
        await().until(() -> {
            pass();
            return replicas() == 4;
        });

        // When someone else sets 7 (as a GitOps tool would), and zkscale runs passes
        admin.apps()
                .deployments()
                .inNamespace(NS)
                .withName("web")
                .edit(d -> new DeploymentBuilder(d)
                        .editSpec()
                        .withReplicas(7)
                        .endSpec()
                        .build());
        String said = "spec.replicas changed from 4 to 7 by another writer";
        DecisionRecord.Entry seen =
                await().until(this::pass, e -> e.write() != null && e.write().startsWith(said));

        // Then zkscale decided on that size, and said what it saw in a Warning and a metric
        assertEquals(7, seen.snapshot().specReplicas());
        Event warning = await().until(() -> events("CompetingWriter"), l -> l.size() == 1)
                .get(0);
        assertEquals("Warning", warning.getType());
        assertTrue(warning.getMessage().startsWith(said), warning.getMessage());
        assertEquals(1, count("zkscale.conflicts", "kind", "replicas"));
    }

    /** One pass; the target's newest recorded decision. */
    private DecisionRecord.Entry pass() {
        controller.loop().pass();
        return controller.record().latest(WEB).orElseThrow();
    }

    private double count(String counter, String tag, String value) {
        return registry.get(counter).tag(tag, value).counter().count();
    }

    private int replicas() {
        return Shop.replicas(admin, "web");
    }

    private List<Event> events(String reason) {
        return admin.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> reason.equals(e.getReason()))
                .toList();
    }
}
