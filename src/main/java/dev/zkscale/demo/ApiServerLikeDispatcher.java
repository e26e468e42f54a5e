package dev.zkscale.demo;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.zjsonpatch.JsonPatchException;
import java.nio.charset.StandardCharsets;

/**
 * The fabric8 CRUD mock, made to answer as the real API server does where zkscale depends on it, and observable. The
 * demo's in-process API server uses it; the tests' mock extends it.
 *
 * <ul>
 * <li>A JSON Patch whose {@code test} operation fails (or that cannot be applied) gets 422 with a {@code Status} body.
 * The stock {@link KubernetesCrudDispatcher} lets the {@link JsonPatchException} escape, and the mock never answers:
 * the client would wait for its request timeout.</li>
 * <li>A {@link Listener} is told of every request it answers (the demo's write audit).</li>
 * </ul>
 */
public class ApiServerLikeDispatcher extends KubernetesCrudDispatcher {
    private volatile Listener listener = (request, body, response) -> {};

    /**
     * Told of each request once it has been answered, on the server's thread: keep it short. The request's body is
     * given as text, read before the request was handled.
     */
    @FunctionalInterface
    public interface Listener {
        void answered(RecordedRequest request, String body, MockResponse response);
    }

    /** Replaces the listener told of every answered request. */
    public void listener(Listener listener) {
        this.listener = listener;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        byte[] body = request.getBody() == null ? null : request.getBody().getBytes();
        MockResponse response;
        try {
            response = super.dispatch(request);
        } catch (RuntimeException e) {
            // As a real API server would, answer (500) rather than leave the client waiting for its timeout.
            response = status(
                    500,
                    "InternalError",
                    "the mock could not handle " + request.getMethod() + " " + request.getPath() + ": " + e);
        }
        listener.answered(request, body == null ? "" : new String(body, StandardCharsets.UTF_8), response);
        return response;
    }

    @Override
    public MockResponse handlePatch(RecordedRequest request) {
        try {
            return super.handlePatch(request);
        } catch (JsonPatchException e) {
            return status(
                    422,
                    "Invalid",
                    "the server rejected our request due to an error in our request: " + e.getMessage());
        }
    }

    private static MockResponse status(int code, String reason, String message) {
        Status status = new StatusBuilder()
                .withStatus("Failure")
                .withReason(reason)
                .withCode(code)
                .withMessage(message)
                .build();
        return new MockResponse()
                .setResponseCode(code)
                .setHeader("Content-Type", "application/json")
                .setBody(Serialization.asJson(status));
    }
}
