package dev.zkscale.demo;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.internal.MockDispatcher;
import io.fabric8.mockwebserver.internal.SimpleRequest;
import io.fabric8.zjsonpatch.JsonPatchException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The fabric8 CRUD mock, made to answer as the real API server does where zkscale depends on it, and observable. The
 * demo's in-process API server and the tests' mock both use it.
 *
 * <ul>
 * <li>A JSON Patch whose {@code test} operation fails (or that cannot be applied) gets 422 with a {@code Status} body.
 * The stock {@link KubernetesCrudDispatcher} lets the {@link JsonPatchException} escape, and the mock never answers:
 * the client would wait for its request timeout.</li>
 * <li>Expectations recorded with {@code server.expect()} win over CRUD for their method and path (as
 * {@code KubernetesMixedDispatcher} does), so a test can make one path fail (a 503 from the metrics API) while the
 * rest of the API keeps its state.</li>
 * <li>Every request is recorded (method and path), so tests can count what the code under test sent; with the
 * caller's bearer token too, so that a test can tell the code under test from its own set-up by giving the two clients
 * different tokens, as the API server tells identities apart for RBAC.</li>
 * </ul>
 */
public final class ApiServerLikeDispatcher extends KubernetesCrudDispatcher {

    /** One request as the mock received it. */
    public record Request(String method, String path) {
        public boolean isWatch() {
            return path.contains("watch=true");
        }
    }

    /** A request and the bearer token it carried (null when it had no {@code Authorization: Bearer} header). */
    public record Call(String token, Request request) {}

    private final Map<ServerRequest, Queue<ServerResponse>> expectations;
    private final MockDispatcher expected;
    private final List<Request> received = new CopyOnWriteArrayList<>();
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final boolean recording;
    private volatile Listener listener = (request, body, response) -> {};

    /**
     * Told of each request once it has been answered, on the server's thread: keep it short. The request's body is
     * given as text, read before the request was handled.
     */
    @FunctionalInterface
    public interface Listener {
        void answered(RecordedRequest request, String body, MockResponse response);
    }

    /** A dispatcher that records every request (see {@link #received()}), as tests want. */
    public ApiServerLikeDispatcher(Map<ServerRequest, Queue<ServerResponse>> expectations) {
        this(expectations, true);
    }

    /** As above; with {@code recording} false nothing is kept, for a long-running server. */
    public ApiServerLikeDispatcher(Map<ServerRequest, Queue<ServerResponse>> expectations, boolean recording) {
        this.expectations = expectations;
        this.expected = new MockDispatcher(expectations);
        this.recording = recording;
    }

    /** Replaces the listener told of every answered request. */
    public void listener(Listener listener) {
        this.listener = listener;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        if (recording) {
            Request r = new Request(request.getMethod(), request.getPath());
            String authorization = request.getHeader("Authorization");
            calls.add(new Call(
                    authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7) : null,
                    r));
            received.add(r);
        }
        byte[] body = request.getBody() == null ? null : request.getBody().getBytes();
        MockResponse response;
        Queue<ServerResponse> queued =
                expectations.get(new SimpleRequest(HttpMethod.valueOf(request.getMethod()), request.getPath()));
        if (queued != null && !queued.isEmpty()) {
            response = expected.dispatch(request);
        } else {
            response = super.dispatch(request);
        }
        listener.answered(request, body == null ? "" : new String(body, StandardCharsets.UTF_8), response);
        return response;
    }

    @Override
    public MockResponse handlePatch(RecordedRequest request) {
        try {
            return super.handlePatch(request);
        } catch (JsonPatchException e) {
            Status status = new StatusBuilder()
                    .withStatus("Failure")
                    .withReason("Invalid")
                    .withCode(422)
                    .withMessage("the server rejected our request due to an error in our request: " + e.getMessage())
                    .build();
            return new MockResponse()
                    .setResponseCode(422)
                    .setHeader("Content-Type", "application/json")
                    .setBody(Serialization.asJson(status));
        }
    }

    /** Every request received so far with its caller's token, in order. */
    public List<Call> calls() {
        return List.copyOf(calls);
    }

    /** Every request received so far, in order. */
    public List<Request> received() {
        return List.copyOf(received);
    }
}
