package dev.zkscale.campaign;

import dev.zkscale.demo.ApiServerLikeDispatcher;
import dev.zkscale.demo.InProcessApiServer;
import dev.zkscale.demo.ScalePatch;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The campaign's Kubernetes API server: the demo's in-process mock with the API-server-like dispatcher (a failed JSON
 * Patch {@code test} is a 422), plus injected errors and a log of every write a controller sends to a Deployment.
 *
 * <p>Errors: while {@link #errors(double)} is above 0, that share of the controllers' requests (User-Agent
 * {@code zkscale/...}) is answered 429 or 500/503 at random without being handled. Latency and dropped connections are
 * the controllers' {@link dev.zkscale.demo.TcpRelay}s' business, so that a slow request reaches the server late, as
 * on a real network.
 *
 * <p>The log records each write as it is handled (when it lands, or is refused): the wall-clock time (milliseconds,
 * the same clock as ZooKeeper's {@code mtime} on this machine), the sender from its User-Agent, the epoch and replicas
 * it carries, and the answer. An injected error is logged too: an attempt that did not land.
 */
final class FaultyApi implements AutoCloseable {
    static final String AGENT_PREFIX = "zkscale/";

    /**
     * One write to a Deployment as the API server received it.
     *
     * @param arrived wall-clock milliseconds just before the server handled it
     * @param sender the instance id of the User-Agent {@code zkscale/<id>}
     * @param method the HTTP method
     * @param epoch the epoch annotation it sets (-1: none)
     * @param replicas the replicas it sets (-1: none)
     * @param status the answer's HTTP status
     */
    record Write(long arrived, String sender, String method, long epoch, int replicas, int status) {
        boolean accepted() {
            return status >= 200 && status < 300;
        }
    }

    private final InProcessApiServer server;
    private final List<Write> writes = new ArrayList<>();
    private final Random random;
    private volatile double errorShare;
    private final AtomicReference<Hold> held = new AtomicReference<>();
    private final ScheduledExecutorService late = Executors.newSingleThreadScheduledExecutor();

    private record Hold(String sender, Duration time, Runnable onArrival) {}

    private FaultyApi(Random random) {
        this.random = random;
        this.server = InProcessApiServer.start(new Dispatcher());
    }

    static FaultyApi start(Random random) {
        return new FaultyApi(random);
    }

    /** The API server's URL, {@code http://127.0.0.1:PORT/}. */
    String url() {
        return server.url();
    }

    /** The server's port. */
    int port() {
        return java.net.URI.create(url()).getPort();
    }

    /** A client for the campaign itself (its writes are not logged: its User-Agent is not a controller's). */
    KubernetesClient client() {
        return server.client("zkscale-campaign", 3);
    }

    /** Answers this share (0 to 1) of the controllers' requests with 429, 500 or 503 from now on. */
    void errors(double share) {
        errorShare = share;
    }

    /**
     * Holds the next write of {@code sender} to a Deployment in the server for {@code time}, as a slow admission
     * webhook or a slow storage would: the sender is answered 504 at once (kube-apiserver's answer when a request
     * outlives its timeout), and the write is handled, preconditions and all, only when {@code time} has passed.
     * {@code onArrival} runs when the write arrives, on the server's thread, and must not call this server.
     */
    void holdNextWrite(String sender, Duration time, Runnable onArrival) {
        held.set(new Hold(sender, time, onArrival));
    }

    /** The writes received since index {@code from}. */
    List<Write> writes(int from) {
        synchronized (writes) {
            return List.copyOf(writes.subList(Math.min(from, writes.size()), writes.size()));
        }
    }

    /** How many writes were received so far: a mark for {@link #writes(int)}. */
    int mark() {
        synchronized (writes) {
            return writes.size();
        }
    }

    @Override
    public void close() {
        late.shutdownNow();
        server.close();
    }

    private final class Dispatcher extends ApiServerLikeDispatcher {
        /** Synchronized with the late handling of held writes: the CRUD store is not meant for two threads. */
        @Override
        public synchronized MockResponse dispatch(RecordedRequest request) {
            String agent = request.getHeader("User-Agent");
            if (agent == null || !agent.startsWith(AGENT_PREFIX)) {
                return super.dispatch(request);
            }
            String sender = agent.substring(AGENT_PREFIX.length());
            boolean write =
                    !request.getMethod().equals("GET") && request.getPath().contains("/deployments/");
            if (!write) {
                MockResponse injected = injected();
                return injected != null ? injected : super.dispatch(request);
            }
            // Read before the request is handled, as the dispatcher's listener reads it.
            byte[] body =
                    request.getBody() == null ? new byte[0] : request.getBody().getBytes();
            ScalePatch patch = ScalePatch.read(new String(body, StandardCharsets.UTF_8));
            Hold hold = held.get();
            if (hold != null && hold.sender().equals(sender) && held.compareAndSet(hold, null)) {
                hold.onArrival().run();
                late.schedule(() -> handle(request, sender, patch), hold.time().toMillis(), TimeUnit.MILLISECONDS);
                return status(504, "Timeout: request did not complete within the allotted timeout");
            }
            MockResponse injected = injected();
            if (injected != null) {
                log(sender, request.getMethod(), patch, injected.code());
                return injected;
            }
            return handle(request, sender, patch);
        }

        private synchronized MockResponse handle(RecordedRequest request, String sender, ScalePatch patch) {
            long arrived = System.currentTimeMillis();
            MockResponse response = super.dispatch(request);
            log(arrived, sender, request.getMethod(), patch, response.code());
            return response;
        }

        private void log(String sender, String method, ScalePatch patch, int status) {
            log(System.currentTimeMillis(), sender, method, patch, status);
        }

        private void log(long arrived, String sender, String method, ScalePatch patch, int status) {
            synchronized (writes) {
                writes.add(new Write(arrived, sender, method, patch.epoch(), patch.replicas(), status));
            }
        }

        private MockResponse injected() {
            double share = errorShare;
            if (share <= 0 || random.nextDouble() >= share) {
                return null;
            }
            return status(new int[] {429, 500, 503}[random.nextInt(3)], "injected by the fault campaign");
        }
    }

    private static MockResponse status(int code, String message) {
        return new MockResponse()
                .setResponseCode(code)
                .setHeader("Content-Type", "application/json")
                .setBody(Serialization.asJson(new StatusBuilder()
                        .withStatus("Failure")
                        .withCode(code)
                        .withMessage(message)
                        .build()));
    }
}
