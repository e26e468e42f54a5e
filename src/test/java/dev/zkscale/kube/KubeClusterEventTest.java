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
import java.util.TreeMap;
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
        List<Event> events = await().until(() -> events(), l -> l.size() == 2).stream()
                .sorted(Comparator.comparing(Event::getReason).reversed())
                .toList();
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
        Event e = await().until(() -> events(), l -> l.size() == 1).get(0);
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

    @Test
    @DisplayName("a repeated Event raises the count of the one sent, as kubectl's 'x3'; another message is a new one")
    void repeatsAreCounted() {
        // Given one Event sent
        cluster.events().event(NS, "Deployment", "web", true, "FailedRescale", "HTTP 503");
        await().until(() -> events().size() == 1);

        // When it happens twice more, then another message for the same workload and reason
        cluster.events().event(NS, "Deployment", "web", true, "FailedRescale", "HTTP 503");
        await().until(() -> events().get(0).getCount() == 2);
        cluster.events().event(NS, "Deployment", "web", true, "FailedRescale", "HTTP 503");
        await().until(() -> events().get(0).getCount() == 3);
        cluster.events().event(NS, "Deployment", "web", true, "FailedRescale", "HTTP 429");

        // Then one Event counts 3, and the new message is an Event of its own; a repeat is one PATCH, no read
        List<Event> events = await().until(() -> events(), l -> l.size() == 2);
        assertEquals(
                List.of("POST", "PATCH", "PATCH", "POST"),
                kube
                        .api()
                        .requests(
                                0,
                                r -> r.path().contains("/events/") || r.method().equals("POST"))
                        .stream()
                        .filter(r -> r.path().contains("/events"))
                        .map(RecordingDispatcher.Request::method)
                        .toList());
        Map<String, Integer> counts = new TreeMap<>();
        events.forEach(e -> counts.put(e.getMessage(), e.getCount()));
        assertEquals(Map.of("HTTP 503", 3, "HTTP 429", 1), counts);
    }

    @Test
    @DisplayName("the pass never waits: Events queue, repeats while queued merge, a full queue drops and counts")
    void fullQueueDrops() {
        // Given a sender that sends one Event, then waits (one request per 1000 s), and room for 2 in the queue
        KubeEvents events = new KubeEvents(
                kube.client(),
                cluster.workloads(),
                Clock.fixed(NOW, ZoneOffset.UTC),
                new KubeEvents.Limits(2, 0.001, Duration.ofMinutes(10), 100));
        try {
            events.event(NS, "Deployment", "web", false, "ConfigApplied", "version 1");
            await().until(() -> events().size() == 1);
            events.event(NS, "Deployment", "web-2", false, "ConfigApplied", "version 1");
            await().until(() -> events.queued() == 0);

            // When 10,000 targets each report their config, and one of them twice
            for (int i = 0; i < 10_000; i++) {
                events.event(NS, "Deployment", "t-" + i, false, "ConfigApplied", "version 1");
            }
            events.event(NS, "Deployment", "t-1", false, "ConfigApplied", "version 1");

            // Then every call returned; two wait in the queue (t-1 once), the others were dropped and counted
            assertEquals(2, events.queued());
            assertEquals(9_998, events.dropped());
        } finally {
            events.close();
        }
    }

    private List<Event> events() {
        return kube.client().v1().events().inNamespace(NS).list().getItems();
    }
}
