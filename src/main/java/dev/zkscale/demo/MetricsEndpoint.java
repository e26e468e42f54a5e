package dev.zkscale.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code /q/metrics} for the demo, on loopback: the Prometheus text of one registry that both controllers report to,
 * each under its own {@code controller} label (two processes would be two scrape targets; one process has one).
 */
final class MetricsEndpoint implements AutoCloseable {
    static final String PATH = "/q/metrics";

    private final HttpServer server;
    private final ExecutorService executor;

    private MetricsEndpoint(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Binds the port at once, so that a port in use is known before anything else starts.
     *
     * @param port the port on 127.0.0.1; 0 picks a free one
     */
    static MetricsEndpoint bind(int port, PrometheusMeterRegistry registry) throws DemoException {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        } catch (BindException e) {
            throw new DemoException("port " + port + " is in use; stop what uses it, or choose another port with "
                    + "--port N (--port 0 picks a free one)");
        } catch (IOException e) {
            throw new DemoException("cannot serve metrics on port " + port + ": " + e.getMessage(), e);
        }
        server.createContext("/", exchange -> {
            try (exchange) {
                if (PATH.equals(exchange.getRequestURI().getPath())) {
                    answer(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
                } else {
                    answer(exchange, 404, "text/plain; charset=utf-8", "the demo serves " + PATH + " only\n");
                }
            }
        });
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "zkscale-demo-metrics");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.start();
        return new MetricsEndpoint(server, executor);
    }

    private static void answer(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    String url() {
        return "http://" + InetAddress.getLoopbackAddress().getHostAddress() + ":"
                + server.getAddress().getPort() + PATH;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
