package dev.zkscale.kube;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zkscale.demo.ApiServerLikeDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.internal.MockDispatcher;
import io.fabric8.mockwebserver.internal.SimpleRequest;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

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

    private volatile boolean paging;
    private volatile Consumer<Request> listener = r -> {};
    /** Lists being paged, by continue token prefix: each list's items as its first page computed them. */
    private final Map<String, PagedList> pagedLists = new ConcurrentHashMap<>();

    /** A list being paged: the response without its items, and the items. */
    private record PagedList(ObjectNode head, ArrayNode items) {}

    /**
     * From now on, answer a LIST that carries {@code limit} in pages with {@code continue} tokens, as the API server
     * does (the CRUD mock alone answers every item at once). The whole list is computed for the first page and kept
     * for the pages after it. For benchmarks whose lists are too large for a client to take in one response.
     */
    void pageLists() {
        paging = true;
    }

    /** Calls {@code listener} with each request from now on, on the server's thread, before it is answered. */
    void onRequest(Consumer<Request> listener) {
        this.listener = listener;
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
        listener.accept(r);
        Queue<ServerResponse> queued =
                expectations.get(new SimpleRequest(HttpMethod.valueOf(request.getMethod()), request.getPath()));
        if (queued != null && !queued.isEmpty()) {
            return expected.dispatch(request);
        }
        if (paging
                && request.getMethod().equals("GET")
                && !r.isWatch()
                && request.getPath().contains("limit=")) {
            return page(request);
        }
        return super.dispatch(request);
    }

    /** One page of a LIST: the first computes the whole list and keeps its items; a continue token names the rest. */
    private MockResponse page(RecordedRequest request) {
        Map<String, String> query = new HashMap<>();
        String path = request.getPath();
        for (String pair : path.substring(path.indexOf('?') + 1).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                query.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        int limit = Integer.parseInt(query.get("limit"));
        String token = query.get("continue");
        String list;
        int from;
        if (token == null) {
            MockResponse whole = super.dispatch(request);
            ObjectNode body;
            try {
                body = (ObjectNode)
                        Serialization.jsonMapper().readTree(whole.getBody().readByteArray());
            } catch (IOException | RuntimeException e) {
                return whole;
            }
            list = Long.toString(pagedLists.size()) + "-" + System.nanoTime();
            pagedLists.put(list, new PagedList(body, (ArrayNode) body.remove("items")));
            from = 0;
        } else {
            list = token.substring(0, token.lastIndexOf(':'));
            from = Integer.parseInt(token.substring(token.lastIndexOf(':') + 1));
        }
        PagedList paged = pagedLists.get(list);
        ArrayNode items = paged.items();
        ObjectNode page = paged.head().deepCopy();
        ArrayNode slice = page.putArray("items");
        int to = Math.min(items.size(), from + limit);
        for (int i = from; i < to; i++) {
            slice.add(items.get(i));
        }
        ObjectNode metadata = page.with("metadata");
        if (to < items.size()) {
            metadata.put("continue", list + ":" + to);
        } else {
            metadata.remove("continue");
            pagedLists.remove(list);
        }
        return new MockResponse()
                .setResponseCode(200)
                .setHeader("Content-Type", "application/json")
                .setBody(page.toString());
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
