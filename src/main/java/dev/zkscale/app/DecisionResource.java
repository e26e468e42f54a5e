package dev.zkscale.app;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.zkscale.codec.SnapshotCodec;
import dev.zkscale.core.Decision;
import dev.zkscale.core.TargetRef;
import dev.zkscale.monitor.DecisionRecord;
import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * The decision record over HTTP, on Quarkus' management interface (with {@code /q/metrics}, not on the application
 * port): which targets were decided, and each target's last decisions with the snapshots they were made from
 * ({@code jq -c '.[].snapshot'} turns the answer into input for {@code zkscale explain}).
 *
 * <p>No request can exhaust the controller's memory: a target's record is written entry by entry, each decompressed
 * straight into the response, never held whole; {@code ?limit=N} asks for the newest N; a response holds at most
 * {@code zkscale.api.max-response-bytes} of JSON (the oldest decisions beyond it are left out, and the
 * {@code Zkscale-Truncated} header says how many); and beyond {@code zkscale.api.max-concurrent-requests} requests at
 * once the answer is 429 with {@code Retry-After}.
 */
@ApplicationScoped
public class DecisionResource {
    /** The header that says how many of the requested decisions the byte limit left out; absent when none. */
    public static final String TRUNCATED = "Zkscale-Truncated";

    private static final Logger LOG = Logger.getLogger(DecisionResource.class);
    /** How long one chunk may wait for a slow client before the response is abandoned (and its permit freed). */
    private static final long WRITE_TIMEOUT_SECONDS = 30;

    private static final Pattern DIGITS = Pattern.compile("[0-9]+");

    @Inject
    ControllerBean bean;

    @Inject
    ZkscaleSettings settings;

    private Semaphore permits;

    void routes(@Observes ManagementInterface management) {
        ZkscaleSettings.Api api = settings.api();
        if (api.maxConcurrentRequests() < 1) {
            throw new IllegalArgumentException("setting zkscale.api.max-concurrent-requests: must be at least 1, got "
                    + api.maxConcurrentRequests());
        }
        if (api.maxResponseBytes() < 2) {
            throw new IllegalArgumentException("setting zkscale.api.max-response-bytes: must be at least 2 (an empty "
                    + "JSON array), got " + api.maxResponseBytes());
        }
        permits = new Semaphore(api.maxConcurrentRequests());
        Router router = management.router();
        router.get("/api/v1/targets").handler(this::admit).blockingHandler(served(this::targets), false);
        router.get("/api/v1/targets/:namespace/:name/decisions")
                .handler(this::admit)
                .blockingHandler(served(this::decisions), false);
    }

    /** On the event loop: takes a permit and passes the request on, or answers 429 at once. */
    private void admit(RoutingContext ctx) {
        if (permits.tryAcquire()) {
            ctx.next();
        } else {
            ctx.response()
                    .setStatusCode(429)
                    .putHeader(HttpHeaders.RETRY_AFTER, "1")
                    .end("too many requests at once (zkscale.api.max-concurrent-requests is "
                            + settings.api().maxConcurrentRequests() + "): retry later\n");
        }
    }

    /** On a worker thread: serves the request and frees its permit, whatever happens. */
    private io.vertx.core.Handler<RoutingContext> served(Consumer<RoutingContext> serve) {
        return ctx -> {
            try {
                serve.accept(ctx);
            } catch (RuntimeException e) {
                LOG.warnf(
                        e, "%s %s failed", ctx.request().method(), ctx.request().path());
                if (!ctx.response().headWritten()) {
                    ctx.response().setStatusCode(500).end();
                } else {
                    ctx.response().reset();
                }
            } finally {
                permits.release();
            }
        };
    }

    private DecisionRecord record(RoutingContext ctx) {
        Controller controller = bean.controller();
        if (controller == null) {
            text(ctx, 503, "zkscale is starting or stopping");
            return null;
        }
        return controller.record();
    }

    private void targets(RoutingContext ctx) {
        DecisionRecord record = record(ctx);
        if (record == null) {
            return;
        }
        HttpServerResponse response = json(ctx).setChunked(true);
        try (ResponseStream out = new ResponseStream(response);
                JsonGenerator json = SnapshotCodec.MAPPER.getFactory().createGenerator(out)) {
            json.writeStartArray();
            for (TargetRef target : record.targets()) {
                DecisionRecord.Entry last = record.latest(target).orElse(null);
                if (last == null) {
                    continue;
                }
                Decision d = last.decision();
                json.writeStartObject();
                json.writeStringField("namespace", target.namespace());
                json.writeStringField("name", target.name());
                json.writeStringField("time", last.snapshot().now().toString());
                json.writeNumberField("currentReplicas", d.currentReplicas());
                json.writeNumberField("desiredReplicas", d.desiredReplicas());
                json.writeFieldName("utilizationPercent");
                if (d.utilizationPercent() == null) {
                    json.writeNull();
                } else {
                    json.writeNumber(d.utilizationPercent());
                }
                json.writeStringField("error", d.error());
                json.writeStringField("write", last.write());
                json.writeNumberField("decisions", record.recorded(target));
                json.writeEndObject();
            }
            json.writeEndArray();
        } catch (IOException e) {
            abandon(response, e);
        }
    }

    private void decisions(RoutingContext ctx) {
        int limit;
        try {
            limit = limit(ctx.queryParam("limit"));
        } catch (IllegalArgumentException e) {
            text(ctx, 400, e.getMessage());
            return;
        }
        DecisionRecord record = record(ctx);
        if (record == null) {
            return;
        }
        TargetRef target = new TargetRef(ctx.pathParam("namespace"), ctx.pathParam("name"));
        DecisionRecord.Served served =
                record.serve(target, limit, settings.api().maxResponseBytes());
        if (served.recorded() == 0) {
            text(ctx, 404, "no decision recorded for " + target);
            return;
        }
        HttpServerResponse response = json(ctx).putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(served.length()));
        if (served.truncated() > 0) {
            response.putHeader(TRUNCATED, Integer.toString(served.truncated()));
        }
        try (ResponseStream out = new ResponseStream(response)) {
            served.writeTo(out);
        } catch (IOException e) {
            abandon(response, e);
        }
    }

    /** {@code ?limit=N}: N ≥ 1, the newest N decisions (any N beyond those recorded means all); absent: all. */
    static int limit(List<String> values) {
        if (values.isEmpty()) {
            return Integer.MAX_VALUE;
        }
        String value = values.get(0);
        if (!DIGITS.matcher(value).matches() || new BigInteger(value).signum() == 0) {
            throw new IllegalArgumentException("limit: must be a whole number of 1 or more, got \"" + value + "\"");
        }
        return new BigInteger(value).min(BigInteger.valueOf(Integer.MAX_VALUE)).intValue();
    }

    private static HttpServerResponse json(RoutingContext ctx) {
        return ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
    }

    private static void text(RoutingContext ctx, int status, String message) {
        ctx.response()
                .setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
                .end(message + "\n");
    }

    /** The client went away or stalled: drop the connection, the response cannot be completed. */
    private static void abandon(HttpServerResponse response, IOException e) {
        LOG.debugf("decision record response abandoned: %s", e.getMessage());
        response.reset();
    }

    /**
     * The response as a blocking stream, for a worker thread: chunks of 64 KiB, each written only once the previous
     * one left for the client, so that one response holds at most one chunk however large the record and however slow
     * the client. Closing it ends the response.
     */
    private static final class ResponseStream extends OutputStream {
        private static final int CHUNK = 64 * 1024;
        private final HttpServerResponse response;
        private Buffer chunk = Buffer.buffer(CHUNK);
        private boolean closed;

        ResponseStream(HttpServerResponse response) {
            this.response = response;
        }

        @Override
        public void write(int b) throws IOException {
            chunk.appendByte((byte) b);
            if (chunk.length() >= CHUNK) {
                flush();
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            chunk.appendBytes(b, off, len);
            if (chunk.length() >= CHUNK) {
                flush();
            }
        }

        @Override
        public void flush() throws IOException {
            if (chunk.length() > 0) {
                Buffer full = chunk;
                chunk = Buffer.buffer(CHUNK);
                await(response.write(full));
            }
        }

        @Override
        public void close() throws IOException {
            if (!closed) {
                closed = true;
                flush();
                await(response.end());
            }
        }

        private static void await(io.vertx.core.Future<Void> write) throws IOException {
            try {
                write.toCompletionStage().toCompletableFuture().get(WRITE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new IOException("the client does not take the response: " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
    }
}
