package dev.zkscale.app;

import static dev.zkscale.app.AppHttp.get;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zkscale.codec.SnapshotCodec;
import dev.zkscale.core.Decider;
import dev.zkscale.simulate.RecordTrace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code zkscale run} as Quarkus runs it: the scheduler drives passes; the decision record and metrics are served on
 * the management interface, health on the application port, and neither on the other.
 */
@QuarkusTest
@QuarkusTestResource(ClusterResource.class)
class ZkscaleAppTest {
    @TestHTTPResource("/")
    URI base;

    @TestHTTPResource(value = "/", management = true)
    URI management;

    @Test
    @DisplayName("the scheduled loop scales a target; its decisions are served and replay to the same decision")
    void scalesAndExplains() throws Exception {
        KubernetesClient admin = ClusterResource.api.newClient();
        Shop.busyWeb(admin, ClusterResource.zk.getConnectString(), "2026-06-01T00:00:00Z");

        await().atMost(Duration.ofSeconds(30)).until(() -> Shop.replicas(admin, "web") == 4);

        // The pass records its decision after the write returns: the record may trail the scale by a moment. Other
        // test classes share this application and list their own targets: find shop/web among them.
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            for (JsonNode t : SnapshotCodec.MAPPER.readTree(
                    get(management, "/api/v1/targets").body())) {
                if (t.get("namespace").asText().equals("shop")
                        && t.get("name").asText().equals("web")) {
                    return true;
                }
            }
            return false;
        });
        HttpResponse<String> decisions = get(management, "/api/v1/targets/shop/web/decisions");
        assertEquals(200, decisions.statusCode());
        assertEquals(
                "application/json",
                decisions.headers().firstValue("Content-Type").orElse(""));
        assertEquals(
                decisions.body().getBytes(StandardCharsets.UTF_8).length,
                decisions.headers().firstValueAsLong("Content-Length").orElse(-1));
        assertTrue(decisions.headers().firstValue(DecisionResource.TRUNCATED).isEmpty());
        // zkscale simulate --record reads what is served
        assertTrue(RecordTrace.read("web.json", decisions.body()).trace().rows() >= 1);
        JsonNode first = SnapshotCodec.MAPPER.readTree(decisions.body()).get(0);
        assertEquals(4, first.get("decision").get("desiredReplicas").asInt());
        assertTrue(first.get("write").asText().startsWith("SUCCESS"), first.toString());
        JsonNode replayed = SnapshotCodec.write(Decider.decide(SnapshotCodec.read(first.get("snapshot"), 1000)));
        assertEquals(first.get("decision").toString(), replayed.toString());

        assertEquals(
                404, get(management, "/api/v1/targets/shop/nothing/decisions").statusCode());
        String metrics = get(management, "/q/metrics").body();
        assertTrue(metrics.contains("zkscale_target_desired_replicas{namespace=\"shop\",target=\"web\"} 4.0"), metrics);
        assertTrue(metrics.contains("zkscale_leader 1.0"), metrics);
        assertTrue(metrics.contains("zkscale_zookeeper_connected 1.0"), metrics);
        assertTrue(metrics.contains("zkscale_decision_record_dropped_total 0.0"), metrics);

        // The application port serves the kubelet's probes and nothing else; the management port no health.
        assertEquals(200, get(base, "/q/health/ready").statusCode());
        assertEquals(404, get(base, "/q/metrics").statusCode());
        assertEquals(404, get(base, "/api/v1/targets").statusCode());
        assertEquals(404, get(management, "/q/health/ready").statusCode());
    }
}
