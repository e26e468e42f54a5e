package dev.zkscale.app;

import static dev.zkscale.app.AppHttp.get;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zkscale.codec.SnapshotCodec;
import dev.zkscale.core.TargetRef;
import dev.zkscale.monitor.DecisionRecord;
import dev.zkscale.monitor.RecordedDecisions;
import dev.zkscale.simulate.RecordTrace;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The decision record endpoint's limits, on the application as Quarkus runs it: {@code ?limit=N}, the byte limit of one
 * response (8 MiB here) with its {@code Zkscale-Truncated} header, and 429 beyond 2 requests at once. The target
 * {@code shop/big} has 24 decisions of 1,500 pods (about 11 MB of JSON) and newer small ones.
 */
@QuarkusTest
@QuarkusTestResource(ClusterResource.class)
@TestProfile(DecisionEndpointTest.SmallResponses.class)
class DecisionEndpointTest {
    private static final String BIG = "/api/v1/targets/shop/big/decisions";
    private static final long MAX_RESPONSE_BYTES = 8 << 20;
    /** Decisions of 1,500 pods, about 480 KB of JSON each: 24 of them are more than one response may carry. */
    private static final int PODS = 1500;

    private static final int DECISIONS = 24;

    /** A byte limit that 24 decisions of 1,500 pods exceed, but one response is larger than socket buffers hold. */
    public static class SmallResponses implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("zkscale.api.max-response-bytes", Long.toString(MAX_RESPONSE_BYTES));
        }
    }

    @TestHTTPResource(value = "/", management = true)
    URI management;

    @Inject
    ControllerBean bean;

    /**
     * Makes {@code shop/big} a managed target (a Deployment of 0 replicas: the loop records a small decision each
     * pass) and records 24 big decisions of it, as the loop would, once for the class.
     */
    @BeforeEach
    void bigTarget() throws Exception {
        synchronized (DecisionEndpointTest.class) {
            if (filled) {
                return;
            }
            Shop.busy(
                    ClusterResource.api.newClient(),
                    ClusterResource.zk.getConnectString(),
                    "2026-06-01T00:00:00Z",
                    "big",
                    0);
            TargetRef big = new TargetRef("shop", "big");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> bean.controller().record().recorded(big) > 0);
            for (int hour = 0; hour < DECISIONS; hour++) {
                DecisionRecord.Entry e = RecordedDecisions.entry(big, PODS, hour);
                bean.controller().record().add(e.snapshot(), e.decision(), e.write());
            }
            filled = true;
        }
    }

    private static boolean filled;

    /** The whole record as served. */
    private HttpResponse<String> full() {
        HttpResponse<String> r = uncheckedGet(BIG);
        assertEquals(200, r.statusCode());
        return r;
    }

    private HttpResponse<String> uncheckedGet(String path) {
        try {
            return get(management, path);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Instant> times(HttpResponse<String> response) throws Exception {
        List<Instant> times = new ArrayList<>();
        for (JsonNode e : SnapshotCodec.MAPPER.readTree(response.body())) {
            times.add(Instant.parse(e.at("/snapshot/now").asText()));
        }
        return times;
    }

    @Test
    @DisplayName("beyond the byte limit the newest decisions that fit are served, oldest first, and the header says "
            + "how many were left out")
    void truncated() throws Exception {
        HttpResponse<String> r = full();

        long length = r.body().getBytes(StandardCharsets.UTF_8).length;
        assertTrue(length <= MAX_RESPONSE_BYTES, "a response of " + length + " bytes");
        assertEquals(length, r.headers().firstValueAsLong("Content-Length").orElse(-1));
        int truncated = Integer.parseInt(
                r.headers().firstValue(DecisionResource.TRUNCATED).orElseThrow());
        assertTrue(truncated >= 1, "truncated " + truncated);
        // The newest big decisions that fit, oldest first (the loop's own small ones come between them)
        List<Instant> big = times(r).stream()
                .filter(t -> t.isBefore(Instant.parse("2026-01-02T00:00:00Z")))
                .toList();
        assertTrue(big.size() >= 2 && big.size() < DECISIONS, big.toString());
        assertEquals(big.stream().sorted().toList(), big, "oldest first");
        assertEquals(Instant.parse("2026-01-01T23:00:15Z"), big.get(big.size() - 1));
        // zkscale simulate --record reads it (the big decisions have metrics, the loop's own have no pods)
        assertTrue(RecordTrace.read("big.json", r.body()).trace().rows() >= 2);
    }

    @Test
    @DisplayName("?limit=N serves the newest N decisions, oldest first; a limit beyond the record serves what fits")
    void limit() throws Exception {
        List<Instant> all = times(full());

        List<Instant> two = times(uncheckedGet(BIG + "?limit=2"));

        // Served in the order recorded, which is not the order of the snapshots' times: the loop records its own
        // decisions of shop/big (this year) between the big ones (January). Each time is one decision's.
        assertEquals(2, two.size());
        List<Instant> after = times(full());
        assertEquals(after.indexOf(two.get(0)) + 1, after.indexOf(two.get(1)), two + " in the order of " + after);
        assertTrue(!all.subList(0, all.size() - 2).contains(two.get(0)), two + " are the newest of " + all);
        HttpResponse<String> huge = uncheckedGet(BIG + "?limit=99999999999999999999");
        assertEquals(200, huge.statusCode());
        assertTrue(huge.headers().firstValue(DecisionResource.TRUNCATED).isPresent());
    }

    @ParameterizedTest(name = "limit={0}")
    @ValueSource(strings = {"0", "000", "-1", "x", "1e3", "1.5", ""})
    @DisplayName("a limit that is not a whole number of 1 or more is a 400 naming it")
    void badLimit(String limit) {
        HttpResponse<String> r = uncheckedGet(BIG + "?limit=" + limit);
        assertEquals(400, r.statusCode());
        assertEquals("limit: must be a whole number of 1 or more, got \"" + limit + "\"\n", r.body());
    }

    @Test
    @DisplayName("two requests at once are served; a third gets 429 with Retry-After until one of them ends")
    void concurrency() throws Exception {
        List<Socket> stalled = new ArrayList<>();
        try {
            // Two clients that ask for the whole record (8 MiB) and read none of it: once the socket buffers are full
            // (up to 4 MiB on Linux), each holds its request open.
            for (int i = 0; i < 2; i++) {
                Socket s = new Socket();
                s.setReceiveBufferSize(4096);
                s.connect(new InetSocketAddress(management.getHost(), management.getPort()));
                OutputStream out = s.getOutputStream();
                out.write(("GET " + BIG + " HTTP/1.1\r\nHost: " + management.getHost() + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                stalled.add(s);
            }

            await().atMost(Duration.ofSeconds(20))
                    .until(() -> uncheckedGet("/api/v1/targets").statusCode() == 429);
            HttpResponse<String> refused = uncheckedGet(BIG + "?limit=1");
            assertEquals(429, refused.statusCode());
            assertEquals("1", refused.headers().firstValue("Retry-After").orElse(""));
        } finally {
            for (Socket s : stalled) {
                s.close();
            }
        }
        await().atMost(Duration.ofSeconds(40))
                .until(() -> uncheckedGet(BIG + "?limit=1").statusCode() == 200);
    }
}
