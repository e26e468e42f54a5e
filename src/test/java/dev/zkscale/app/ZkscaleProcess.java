package dev.zkscale.app;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;

/**
 * One {@code zkscale run} as a user starts it: {@code bin/zkscale run} on the packaged jar (so it needs
 * {@code package} first), in its own JVM, its settings given as environment variables (as Quarkus maps them:
 * {@code zkscale.zookeeper.connect} is {@code ZKSCALE_ZOOKEEPER_CONNECT}), its output in {@code <id>.log}.
 *
 * <p>{@code bin/zkscale} {@code exec}s {@code java}, so the process started here is the controller's JVM itself: {@link
 * #kill()} is a {@code kill -9} of the controller, not of a shell that would leave the JVM running.
 */
public final class ZkscaleProcess implements AutoCloseable {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private final String id;
    private final int httpPort;
    private final Process process;
    private final Path log;

    private ZkscaleProcess(String id, int httpPort, Process process, Path log) {
        this.id = id;
        this.httpPort = httpPort;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code bin/zkscale run} with these settings (property names; {@code zkscale.instance-id} and
     * {@code quarkus.http.port} are set here). Returns at once; use {@link #metrics()} to see when it serves.
     */
    public static ZkscaleProcess start(String id, Path logDir, Map<String, String> settings) throws IOException {
        Path launcher = Path.of("bin", "zkscale").toAbsolutePath();
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " is missing: this test runs after package");
        }
        Files.createDirectories(logDir);
        int port = ZooKeeperProcess.freePort();
        Map<String, String> all = new LinkedHashMap<>(settings);
        all.put("zkscale.instance-id", id);
        all.put("quarkus.http.port", Integer.toString(port));
        ProcessBuilder builder = new ProcessBuilder(List.of(launcher.toString(), "run"));
        Map<String, String> env = builder.environment();
        // No kubeconfig or in-cluster settings of the machine may leak in: the API server is the one given here.
        env.keySet()
                .removeIf(k -> k.startsWith("KUBERNETES_")
                        || k.equals("KUBECONFIG")
                        || k.startsWith("ZKSCALE_")
                        || k.startsWith("QUARKUS_"));
        env.put(
                "PATH",
                Path.of(System.getProperty("java.home"), "bin") + File.pathSeparator + env.getOrDefault("PATH", ""));
        // C1 only and the serial collector: start-up in about half the time on a small machine, which is what a test
        // of several short-lived JVMs spends its time on. -Dzkscale.it.java-opts=... replaces these.
        env.put(
                "JAVA_OPTS",
                System.getProperty("zkscale.it.java-opts", "-Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC"));
        all.forEach((name, value) -> env.put(envName(name), value));
        Path log = logDir.resolve(id + ".log");
        Process process =
                builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();
        process.getOutputStream().close();
        return new ZkscaleProcess(id, port, process, log);
    }

    /** A property name as Quarkus reads it from the environment: upper case, anything not alphanumeric as "_". */
    static String envName(String property) {
        return property.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    public String id() {
        return id;
    }

    public Path log() {
        return log;
    }

    public Process process() {
        return process;
    }

    public boolean alive() {
        return process.isAlive();
    }

    /**
     * The unlabelled series of {@code /q/metrics} (name to value), or an empty map when the process does not answer
     * (starting, stopped, or the request failed).
     */
    public Map<String, Double> metrics() {
        if (!process.isAlive()) {
            return Map.of();
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/q/metrics"))
                .timeout(Duration.ofSeconds(2))
                .GET()
                .build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return Map.of();
            }
            Map<String, Double> values = new HashMap<>();
            for (String line : response.body().split("\n")) {
                if (line.startsWith("#") || line.isBlank() || line.contains("{")) {
                    continue;
                }
                String[] parts = line.trim().split("\\s+");
                if (parts.length >= 2) {
                    try {
                        values.put(parts[0], Double.parseDouble(parts[1]));
                    } catch (NumberFormatException e) {
                        // not a sample line
                    }
                }
            }
            return values;
        } catch (IOException e) {
            return Map.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        }
    }

    /**
     * Whether the loop has finished a pass, by {@code /q/health/live} (a cheap request, unlike a scrape of
     * {@code /q/metrics} with thousands of targets); false also when the process does not answer.
     */
    public boolean passed() {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/q/health/live"))
                .timeout(Duration.ofSeconds(2))
                .GET()
                .build();
        try {
            String body =
                    HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body();
            return body.contains("\"lastPass\"") && !body.contains("none yet");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** One unlabelled series of {@code /q/metrics}; empty when absent or when the process does not answer. */
    public OptionalDouble metric(String name) {
        Double value = metrics().get(name);
        return value == null ? OptionalDouble.empty() : OptionalDouble.of(value);
    }

    /**
     * The {@code zkscale_leader_epoch} this instance reports: its term's epoch, 0 when it does not lead, -1 when it
     * does not answer.
     */
    public long epoch() {
        OptionalDouble epoch = metric("zkscale_leader_epoch");
        return epoch.isPresent() ? (long) epoch.getAsDouble() : -1;
    }

    /** {@code kill -9}: the JVM dies at once, without closing its ZooKeeper session. Returns at once. */
    public void kill() {
        requireJvm();
        process.destroyForcibly();
    }

    /** {@code kill -TERM}: Quarkus shuts down in order (the latch is closed first). Returns at once. */
    public void stop() {
        requireJvm();
        process.destroy();
    }

    /** Waits until the process has exited (30 s at most, then it is killed) and returns its exit status. */
    public int awaitExit() throws InterruptedException {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            throw new IllegalStateException(id + " did not exit within 30 s");
        }
        return process.exitValue();
    }

    /** The process signalled must be the controller's JVM, not a shell around it (bin/zkscale must {@code exec}). */
    private void requireJvm() {
        String command = process.info().command().orElse("");
        if (!command.endsWith("/java")) {
            throw new IllegalStateException(id + ": process " + process.pid() + " is \"" + command
                    + "\", not the controller's JVM; does bin/zkscale still exec java?");
        }
    }

    /** Ends the process if it still runs; for clean-up after any outcome. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public String toString() {
        return id + " (pid " + process.pid() + ", port " + httpPort + ")";
    }
}
