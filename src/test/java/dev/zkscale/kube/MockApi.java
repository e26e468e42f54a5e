package dev.zkscale.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.function.Predicate;

/**
 * A fabric8 mock API server in CRUD mode with {@link RecordingDispatcher}, on loopback over plain HTTP, and clients
 * for it with short timeouts. Close it to stop the server and the clients.
 */
public final class MockApi implements AutoCloseable {

    /** The request timeout of {@link #newClient()}: a hung request fails after this. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(1);
    /** The connection timeout of {@link #newClient()}. */
    static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(1);

    public final KubernetesMockServer server;
    final RecordingDispatcher dispatcher;
    private final List<KubernetesClient> clients = new ArrayList<>();

    private MockApi(KubernetesMockServer server, RecordingDispatcher dispatcher) {
        this.server = server;
        this.dispatcher = dispatcher;
    }

    /** Starts a server on 127.0.0.1 and a free port. */
    public static MockApi start() {
        Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
        RecordingDispatcher dispatcher = new RecordingDispatcher(expectations);
        KubernetesMockServer server = new KubernetesMockServer(
                new Context(Serialization.jsonMapper()), new MockWebServer(), expectations, dispatcher, false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        return new MockApi(server, dispatcher);
    }

    /**
     * A new client for this server with short request and connection timeouts. Its retry settings are fabric8's
     * defaults (10 retries with back-off on 429/5xx/connection errors), as a production client would have them: the
     * tests then show that {@link KubeCluster} makes its own requests once.
     */
    public KubernetesClient newClient() {
        return newClient(null);
    }

    /**
     * As {@link #newClient()}, authenticating with a bearer token (null: none), which {@link #calls()} records with
     * each request: give the code under test its own token to tell its requests from the test's.
     */
    public KubernetesClient newClient(String token) {
        KubernetesClient client = server.createClient(builder -> builder.editOrNewConfig()
                .withRequestTimeout((int) REQUEST_TIMEOUT.toMillis())
                .withConnectionTimeout((int) CONNECTION_TIMEOUT.toMillis())
                .withOauthToken(token)
                .endConfig());
        clients.add(client);
        return client;
    }

    /** Every request received so far with the bearer token it carried, in order. */
    public List<RecordingDispatcher.Call> calls() {
        return dispatcher.calls();
    }

    /** The requests received so far, from index {@code from} on, that match {@code which}. */
    public List<RecordingDispatcher.Request> requests(int from, Predicate<RecordingDispatcher.Request> which) {
        List<RecordingDispatcher.Request> all = dispatcher.received();
        return all.subList(Math.min(from, all.size()), all.size()).stream()
                .filter(which)
                .toList();
    }

    /** The bodies of the requests received so far, from index {@code from} on, that match {@code which}. */
    public List<String> bodies(int from, Predicate<RecordingDispatcher.Request> which) {
        List<RecordingDispatcher.Received> all = dispatcher.receivedWithBodies();
        return all.subList(Math.min(from, all.size()), all.size()).stream()
                .filter(r -> which.test(r.request()))
                .map(RecordingDispatcher.Received::body)
                .toList();
    }

    /** Answers LISTs with a {@code limit} in pages from now on (see {@link RecordingDispatcher#pageLists()}). */
    public void pageLists() {
        dispatcher.pageLists();
    }

    /** Calls {@code listener} with each request from now on, on the server's thread. */
    public void onRequest(java.util.function.Consumer<RecordingDispatcher.Request> listener) {
        dispatcher.onRequest(listener);
    }

    /** How many requests were received so far: a mark for {@link #requests(int, Predicate)}. */
    public int mark() {
        return dispatcher.received().size();
    }

    @Override
    public void close() {
        clients.forEach(KubernetesClient::close);
        server.destroy();
    }
}
