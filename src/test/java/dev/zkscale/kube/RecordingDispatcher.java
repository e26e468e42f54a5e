package dev.zkscale.kube;

import dev.zkscale.demo.ApiServerLikeDispatcher;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.internal.MockDispatcher;
import io.fabric8.mockwebserver.internal.SimpleRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The tests' {@link ApiServerLikeDispatcher}, with what only tests need of it.
 *
 * <ul>
 * <li>Expectations recorded with {@code server.expect()} win over CRUD for their method and path (as
 * {@code KubernetesMixedDispatcher} does), so a test can make one path fail (a 503 from the metrics API) while the
 * rest of the API keeps its state. The listener is not told of these answers.</li>
 * <li>Every request is recorded (method, path and body), so tests can count what the code under test sent; with the
 * caller's bearer token too, so that a test can tell the code under test from its own set-up by giving the two clients
 * different tokens, as the API server tells identities apart for RBAC.</li>
 * </ul>
 */
public final class RecordingDispatcher extends ApiServerLikeDispatcher {

    /** One request as the mock received it. */
    public record Request(String method, String path) {
        public boolean isWatch() {
            return path.contains("watch=true");
        }
    }

    /** A request and its body (empty when it had none). */
    public record Received(Request request, String body) {}

    /** A request and the bearer token it carried (null when it had no {@code Authorization: Bearer} header). */
    public record Call(String token, Request request) {}

    private final Map<ServerRequest, Queue<ServerResponse>> expectations;
    private final MockDispatcher expected;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final List<Call> calls = new CopyOnWriteArrayList<>();

    /** A dispatcher that answers from {@code expectations} (the mock server's) first, then as CRUD. */
    public RecordingDispatcher(Map<ServerRequest, Queue<ServerResponse>> expectations) {
        this.expectations = expectations;
        this.expected = new MockDispatcher(expectations);
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        Request r = new Request(request.getMethod(), request.getPath());
        String authorization = request.getHeader("Authorization");
        calls.add(new Call(
                authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7) : null, r));
        // getBytes() leaves the body to be read by the dispatcher (readUtf8() would drain it).
        received.add(new Received(
                r, request.getBody() == null ? "" : new String(request.getBody().getBytes(), StandardCharsets.UTF_8)));
        Queue<ServerResponse> queued =
                expectations.get(new SimpleRequest(HttpMethod.valueOf(request.getMethod()), request.getPath()));
        if (queued != null && !queued.isEmpty()) {
            return expected.dispatch(request);
        }
        return super.dispatch(request);
    }

    /** Every request received so far with its caller's token, in order. */
    public List<Call> calls() {
        return List.copyOf(calls);
    }

    /** Every request received so far, in order. */
    public List<Request> received() {
        return received.stream().map(Received::request).toList();
    }

    /** Every request received so far with its body, in order. */
    public List<Received> receivedWithBodies() {
        return List.copyOf(received);
    }
}
