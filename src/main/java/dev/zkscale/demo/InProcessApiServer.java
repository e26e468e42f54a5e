package dev.zkscale.demo;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

/**
 * The demo's Kubernetes API: the fabric8 mock server in CRUD mode, on loopback over plain HTTP, with
 * {@link ApiServerLikeDispatcher} so that a failed JSON Patch {@code test} is answered with 422 as the real API server
 * answers it. It stores what it is sent and runs no controllers: the simulation plays the Deployment controller,
 * the kubelet and metrics-server. Closing it closes the clients it made. The fault campaign runs it with a dispatcher
 * of its own (a subclass that injects faults).
 */
public final class InProcessApiServer implements AutoCloseable {
    /** Short: a slow call must not stall a pass, and at most a third of the demo's 3 s ZooKeeper session. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(1);

    private static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(2);

    private final KubernetesMockServer server;
    private final ApiServerLikeDispatcher dispatcher;
    private final List<KubernetesClient> clients = new ArrayList<>();

    private InProcessApiServer(KubernetesMockServer server, ApiServerLikeDispatcher dispatcher) {
        this.server = server;
        this.dispatcher = dispatcher;
    }

    static InProcessApiServer start() {
        return start(new ApiServerLikeDispatcher());
    }

    /** Starts a server on loopback and a free port that answers through {@code dispatcher}. */
    public static InProcessApiServer start(ApiServerLikeDispatcher dispatcher) {
        KubernetesMockServer server = new KubernetesMockServer(
                new Context(Serialization.jsonMapper()), new MockWebServer(), new HashMap<>(), dispatcher, false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        return new InProcessApiServer(server, dispatcher);
    }

    public String url() {
        return server.url("/");
    }

    ApiServerLikeDispatcher dispatcher() {
        return dispatcher;
    }

    /**
     * A new client of this server that names itself {@code userAgent} in every request (the audit reads it).
     *
     * @param retries how often a failed request is retried, with back-off (fabric8's default is 10)
     */
    public synchronized KubernetesClient client(String userAgent, int retries) {
        KubernetesClient client = server.createClient(builder -> builder.editOrNewConfig()
                .withUserAgent(userAgent)
                .withRequestRetryBackoffLimit(retries)
                .withRequestTimeout((int) REQUEST_TIMEOUT.toMillis())
                .withConnectionTimeout((int) CONNECTION_TIMEOUT.toMillis())
                .endConfig());
        clients.add(client);
        return client;
    }

    @Override
    public synchronized void close() {
        clients.forEach(KubernetesClient::close);
        server.destroy();
    }
}
