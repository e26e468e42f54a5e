package dev.zkscale.app;

import static dev.zkscale.app.AppHttp.get;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zkscale.codec.SnapshotCodec;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code /q/health/ready} and {@code /q/health/live} as Kubernetes probes call them. */
@QuarkusTest
@QuarkusTestResource(ClusterResource.class)
class HealthEndpointsTest {
    @TestHTTPResource("/")
    URI base;

    @Test
    @DisplayName("a running controller is ready (ZooKeeper, config, caches) and alive (a recent pass)")
    void readyAndAlive() throws Exception {
        await().atMost(Duration.ofSeconds(20))
                .until(() -> get(base, "/q/health/ready").statusCode() == 200);
        JsonNode ready =
                SnapshotCodec.MAPPER.readTree(get(base, "/q/health/ready").body());
        assertEquals("UP", ready.path("status").asText(), ready.toString());
        JsonNode data = ready.path("checks").get(0).path("data");
        assertEquals(true, data.path("zookeeperConnected").asBoolean(), ready.toString());
        assertEquals(true, data.path("configReadable").asBoolean(), ready.toString());
        assertEquals(true, data.path("kubernetesWatching").asBoolean(), ready.toString());

        await().atMost(Duration.ofSeconds(20))
                .until(() -> SnapshotCodec.MAPPER
                        .readTree(get(base, "/q/health/live").body())
                        .path("checks")
                        .get(0)
                        .path("data")
                        .path("lastPass")
                        .asText()
                        .startsWith("20"));
        HttpResponse<String> live = get(base, "/q/health/live");
        assertEquals(200, live.statusCode(), live.body());
        JsonNode check =
                SnapshotCodec.MAPPER.readTree(live.body()).path("checks").get(0);
        assertEquals("UP", check.path("status").asText(), live.body());
        assertEquals("zkscale-loop", check.path("name").asText());
        assertEquals(60, check.path("data").path("timeoutSeconds").asInt(), "4 x 1 s, at least 60 s");
    }
}
