package dev.zkscale.kube;

import static dev.zkscale.kube.Fixtures.deployment;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectReference;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Events, as {@code kubectl describe deployment} shows them to the user. */
class KubeClusterEventTest {

    private static final String NS = "shop";
    private static final Instant NOW = Instant.parse("2026-01-01T00:10:00.123Z");

    @RegisterExtension
    final MockApiExtension kube = new MockApiExtension();

    private KubeCluster cluster;

    @BeforeEach
    void start() {
        kube.client()
                .apps()
                .deployments()
                .inNamespace(NS)
                .resource(deployment(NS, "web", 2, Map.of("app", "web"), Map.of()))
                .create();
        cluster = kube.started(new KubeCluster(
                kube.client(), Set.of(), Clock.fixed(NOW, ZoneOffset.UTC), KubeCluster.DEFAULT_STAMPS_PER_SECOND));
        await().atMost(Duration.ofSeconds(5))
                .until(() ->
                        cluster.workloads().workload(NS, "Deployment", "web").isPresent());
    }

    @Test
    @DisplayName("events are created on the workload with reason, type, message, source and the workload's uid")
    void eventsOnTheWorkload() {
        // When the loop records a rescale and a failure
        cluster.events()
                .event(
                        NS,
                        "Deployment",
                        "web",
                        false,
                        "SuccessfulRescale",
                        "New size: 4; reason: cpu resource utilization above target");
        cluster.events().event(NS, "Deployment", "web", true, "FailedGetResourceMetric", "metrics API unavailable");

        // Then both are in the namespace, attached to the Deployment
        List<Event> events = kube.client().v1().events().inNamespace(NS).list().getItems().stream()
                .sorted(Comparator.comparing(Event::getReason).reversed())
                .toList();
        assertEquals(2, events.size());
        String uid = kube.client()
                .apps()
                .deployments()
                .inNamespace(NS)
                .withName("web")
                .get()
                .getMetadata()
                .getUid();
        for (Event e : events) {
            ObjectReference involved = e.getInvolvedObject();
            assertEquals("apps/v1", involved.getApiVersion());
            assertEquals("Deployment", involved.getKind());
            assertEquals("web", involved.getName());
            assertEquals(NS, involved.getNamespace());
            assertEquals(uid, involved.getUid());
            assertEquals("zkscale", e.getSource().getComponent());
            assertEquals(1, e.getCount());
            assertEquals("2026-01-01T00:10:00Z", e.getFirstTimestamp());
            assertEquals("2026-01-01T00:10:00Z", e.getLastTimestamp());
            assertTrue(
                    e.getMetadata().getName().startsWith("web."),
                    e.getMetadata().getName());
        }
        assertEquals("SuccessfulRescale", events.get(0).getReason());
        assertEquals("Normal", events.get(0).getType());
        assertEquals(
                "New size: 4; reason: cpu resource utilization above target",
                events.get(0).getMessage());
        assertEquals("FailedGetResourceMetric", events.get(1).getReason());
        assertEquals("Warning", events.get(1).getType());
        assertNotEquals(
                events.get(0).getMetadata().getName(),
                events.get(1).getMetadata().getName());
    }

    @Test
    @DisplayName("an event on an object the cache does not know is still recorded, without a uid")
    void eventOnUnknownObject() {
        // When a config for a missing workload is rejected
        cluster.events().event(NS, "Deployment", "ghost", true, "InvalidConfig", "maxReplicas: required");

        // Then
        Event e = kube.client().v1().events().inNamespace(NS).list().getItems().get(0);
        assertEquals("ghost", e.getInvolvedObject().getName());
        assertEquals(null, e.getInvolvedObject().getUid());
        assertNotNull(e.getMetadata().getName());
    }

    @Test
    @DisplayName("an event that cannot be written is logged, never thrown")
    void failureIsNotThrown() {
        // Given the API server is gone
        kube.api().server.shutdown();

        // When / Then
        assertDoesNotThrow(() -> cluster.events().event(NS, "Deployment", "web", true, "FailedRescale", "boom"));
    }
}
