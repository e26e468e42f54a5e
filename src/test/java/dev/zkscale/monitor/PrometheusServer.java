package dev.zkscale.monitor;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus server (Debian's {@code prometheus}, as {@code .ci/run} installs it) for a test: on 127.0.0.1 and a
 * free port, with its own configuration and a temporary TSDB, scraping one target every second as job
 * {@value #JOB} with {@code honor_labels} (zkscale's {@code namespace} label is the target's), and evaluating the
 * given rule files every second. Its log is {@code prometheus.log} in the directory. Close it to stop it.
 */
public final class PrometheusServer implements AutoCloseable {
    /** The job name of the scrape. */
    public static final String JOB = "zkscale";

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Process process;
    private final URI base;
    private final Path log;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private PrometheusServer(Process process, URI base, Path log) {
        this.process = process;
        this.base = base;
        this.log = log;
    }

    /**
     * Starts Prometheus and waits until it is ready (not until the first scrape: see {@link #awaitUp()}).
     *
     * @param dir a directory of its own (config, TSDB, log)
     * @param target the scrape target, {@code host:port}
     * @param metricsPath the path to scrape
     * @param ruleFiles rule files to load (may be empty)
     */
    public static PrometheusServer start(Path dir, String target, String metricsPath, List<Path> ruleFiles)
            throws IOException {
        String binary = binary("prometheus");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        StringBuilder config = new StringBuilder();
        config.append("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n");
        if (!ruleFiles.isEmpty()) {
            config.append("rule_files:\n");
            ruleFiles.forEach(
                    f -> config.append("  - ").append(f.toAbsolutePath()).append('\n'));
        }
        config.append("scrape_configs:\n  - job_name: ")
                .append(JOB)
                .append('\n')
                .append("    honor_labels: true\n")
                .append("    metrics_path: ")
                .append(metricsPath)
                .append('\n')
                .append("    static_configs:\n      - targets: ['")
                .append(target)
                .append("']\n");
        Path configFile = dir.resolve("prometheus.yml");
        Files.writeString(configFile, config);
        Path log = dir.resolve("prometheus.log");
        Process p = new ProcessBuilder(
                        binary,
                        "--config.file=" + configFile,
                        "--storage.tsdb.path=" + dir.resolve("tsdb"),
                        "--web.listen-address=127.0.0.1:" + port,
                        "--storage.tsdb.retention.time=1h")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        PrometheusServer server = new PrometheusServer(p, URI.create("http://127.0.0.1:" + port + "/"), log);
        try {
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        if (!p.isAlive()) {
                            throw new IllegalStateException(
                                    "prometheus exited with " + p.exitValue() + ": " + server.log());
                        }
                        return server.status("-/ready") == 200;
                    });
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** The path of an installed Prometheus tool, or a clear failure saying how to install it. */
    public static String binary(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new IllegalStateException(name + " is not installed: apt-get install -y --no-install-recommends "
                + "prometheus (the build does it as root: .ci/ensure-prometheus)");
    }

    /** Waits until the first scrape of the target succeeded ({@code up == 1}). */
    public void awaitUp() {
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> value("up{job=\"" + JOB + "\"}") == 1.0);
    }

    /** The result of an instant query ({@code data.result}); fails on an error answer, with Prometheus' message. */
    public JsonNode query(String promql) {
        JsonNode answer = get("api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        if (!"success".equals(answer.path("status").asText())) {
            throw new AssertionError("query failed: " + promql + "\n  "
                    + answer.path("errorType").asText() + ": "
                    + answer.path("error").asText());
        }
        return answer.path("data").path("result");
    }

    /** The value of a query whose result is one sample, or NaN when the result is empty. */
    public double value(String promql) {
        JsonNode result = query(promql);
        if (result.isEmpty()) {
            return Double.NaN;
        }
        if (result.size() != 1) {
            throw new AssertionError("expected one series from " + promql + ", got " + result);
        }
        return Double.parseDouble(result.get(0).path("value").get(1).asText());
    }

    /** The metric names Prometheus holds for the scrape job. */
    public Set<String> metricNames() {
        JsonNode answer = get("api/v1/label/__name__/values?match[]="
                + URLEncoder.encode("{job=\"" + JOB + "\"}", StandardCharsets.UTF_8));
        Set<String> names = new TreeSet<>();
        answer.path("data").forEach(n -> names.add(n.asText()));
        return names;
    }

    /** Every loaded rule ({@code data.groups[].rules[]}), with its health and last error. */
    public List<JsonNode> rules() {
        List<JsonNode> rules = new ArrayList<>();
        get("api/v1/rules")
                .path("data")
                .path("groups")
                .forEach(g -> g.path("rules").forEach(rules::add));
        return rules;
    }

    /** Prometheus' own log so far, for failure messages. */
    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private int status(String path) {
        try {
            return http.send(
                            HttpRequest.newBuilder(base.resolve(path))
                                    .timeout(Duration.ofSeconds(2))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private JsonNode get(String pathAndQuery) {
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(base.resolve(pathAndQuery))
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new IllegalStateException("Prometheus did not answer " + pathAndQuery + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
