package dev.zkscale.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged executable as a user runs it: {@code bin/zkscale} on the built jar (runs after {@code package}). */
class LauncherIT {
    @TempDir
    Path dir;

    private record Result(int code, String out, String err) {}

    private static Result zkscale(String... args) throws Exception {
        return zkscale(Map.of(), args);
    }

    private static Result zkscale(Map<String, String> env, String... args) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(concat("bin/zkscale", args));
        builder.environment().putAll(env);
        Process p = builder.start();
        p.getOutputStream().close();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "zkscale did not exit");
        return new Result(
                p.exitValue(),
                new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static List<String> concat(String first, String... rest) {
        List<String> all = new java.util.ArrayList<>(List.of(first));
        all.addAll(List.of(rest));
        return all;
    }

    @Test
    @DisplayName("bin/zkscale explain FILE prints one decision per snapshot and exits 0")
    void explainFile() throws Exception {
        Path file = dir.resolve("s.jsonl");
        Files.writeString(file, ExplainTest.SNAPSHOT + "\nnot json\n");
        Result r = zkscale("explain", file.toString());
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().split("\n");
        assertEquals(2, lines.length, r.out());
        assertTrue(lines[0].contains("\"desiredReplicas\":6"), lines[0]);
        assertTrue(lines[1].startsWith("{\"error\":\"not valid JSON"), lines[1]);
        assertEquals("", r.err());
    }

    @Test
    @DisplayName("ZKSCALE_LOG_JSON=true: zkscale run logs one JSON object per line, a failed start-up included")
    void jsonLogs() throws Exception {
        // No API server and no ZooKeeper: start-up fails after the 1 s cache sync timeout, and says why
        ProcessBuilder pb = new ProcessBuilder("bin/zkscale", "run");
        pb.environment().put("ZKSCALE_LOG_JSON", "true");
        pb.environment().put("ZKSCALE_CACHE_SYNC_TIMEOUT", "1s");
        pb.environment().put("ZKSCALE_ZOOKEEPER_CONNECT", "127.0.0.1:1");
        pb.environment().put("QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL", "http://127.0.0.1:1");
        pb.environment().put("QUARKUS_HTTP_PORT", "0");
        Process p = pb.start();
        p.getOutputStream().close();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "zkscale run did not exit");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(1, p.exitValue(), out);
        List<String> lines = out.lines().toList();
        assertTrue(lines.size() > 3, out);
        boolean reported = false;
        for (String line : lines) {
            com.fasterxml.jackson.databind.JsonNode json =
                    new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
            assertTrue(
                    json.isObject()
                            && json.has("timestamp")
                            && json.has("level")
                            && json.has("loggerName")
                            && json.has("message"),
                    line);
            reported |= json.path("level").asText().equals("ERROR")
                    && json.toString().contains("Kubernetes caches did not sync");
        }
        assertTrue(reported, "the start-up failure is logged as JSON: " + out);
    }

    @Test
    @DisplayName("a missing file is one line on stderr, exit 2, nothing on stdout")
    void missingFile() throws Exception {
        Result r = zkscale("explain", dir.resolve("absent.jsonl").toString());
        assertEquals(2, r.code());
        assertEquals("", r.out());
        assertEquals("zkscale explain: cannot read " + dir.resolve("absent.jsonl") + ": no such file\n", r.err());
    }

    @Test
    @DisplayName("bin/zkscale config set and get against ZooKeeper: stdout is the data alone, the version one line on "
            + "stderr")
    void configRoundTrip() throws Exception {
        try (TestingServer zk = new TestingServer(true)) {
            Map<String, String> env = Map.of("ZKSCALE_ZOOKEEPER_CONNECT", zk.getConnectString());
            Path file = dir.resolve("web.json");
            Files.writeString(file, "{\"maxReplicas\": 4}\n");

            Result set = zkscale(env, "config", "set", "shop/web", file.toString());
            assertEquals(new Result(0, "shop/web: created, version 0\n", ""), set);
            Result get = zkscale(env, "config", "get", "shop/web");
            assertEquals(0, get.code(), get.err());
            assertEquals("{\"maxReplicas\": 4}\n", get.out());
            assertTrue(get.err().matches("/zkscale/targets/shop/web version 0, modified \\S+\n"), get.err());
        }
    }

    @Test
    @DisplayName("bin/zkscale config validate is offline; an invalid file is one line on stderr and exit 2")
    void configValidate() throws Exception {
        Path file = dir.resolve("web.json");
        Files.writeString(file, "{\n  \"maxReplicas\": 0\n}\n");
        Result r = zkscale(Map.of("ZKSCALE_ZOOKEEPER_CONNECT", "127.0.0.1:1"), "config", "validate", file.toString());
        assertEquals(
                new Result(2, "", "zkscale config validate: " + file + ": maxReplicas: must be >= 1, got 0 (line 2)\n"),
                r);
    }

    @Test
    @DisplayName("bin/zkscale --help lists every command, each has its own --help, and a bad argument is one line, "
            + "exit 2")
    void help() throws Exception {
        Result help = zkscale("--help");
        assertEquals(0, help.code(), help.err());
        for (String command : List.of("run", "demo", "explain", "config", "simulate")) {
            assertTrue(help.out().contains("\n  " + command + " "), help.out());
            Result own = zkscale(command, "--help");
            assertEquals(0, own.code(), own.err());
            assertTrue(own.out().startsWith("Usage: zkscale " + command), own.out());
        }
        assertEquals(
                new Result(
                        2, "", "zkscale config: Unmatched argument at index 1: 'edit' (see zkscale config --help)\n"),
                zkscale("config", "edit"));
    }

    @Test
    @DisplayName("bin/zkscale simulate prints the table and draws the chart headless from the packaged jar")
    void simulate() throws Exception {
        Path trace = dir.resolve("load.csv");
        Files.writeString(trace, "seconds,value\n0,10\n300,80\n600,20\n900,20\n");
        Path config = dir.resolve("web.json");
        Files.writeString(config, "{\"maxReplicas\": 10}");
        Path chart = dir.resolve("run.svg");
        Result r = zkscale(
                "simulate", "--trace", trace.toString(), "--config", config.toString(), "--chart", chart.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().matches("(?s).*\npasses +61\n.*"), r.out());
        assertTrue(Files.readString(chart).contains("<svg"));
        assertEquals("", r.err());
    }
}
