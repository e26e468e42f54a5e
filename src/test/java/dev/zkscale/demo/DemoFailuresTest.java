package dev.zkscale.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zkscale.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the demo says when it cannot run: one line that says what to do, exit 2, nothing started. */
class DemoFailuresTest {
    @TempDir
    Path dir;

    private record Result(int code, String out, String err) {}

    private static Result demo(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> command = new ArrayList<>(List.of("demo"));
        command.addAll(List.of(args));
        int code = Main.execute(
                InputStream.nullInputStream(),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                command.toArray(String[]::new));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void assertFails(Result r, String line) {
        assertEquals(2, r.code(), r.err());
        assertEquals("zkscale demo: " + line + "\n", r.err());
        assertEquals("", r.out());
    }

    @Test
    @DisplayName("a port in use")
    void portInUse() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = taken.getLocalPort();
            assertFails(
                    demo("--port", Integer.toString(port)),
                    "port " + port + " is in use; stop what uses it, or "
                            + "choose another port with --port N (--port 0 picks a free one)");
        }
    }

    @Test
    @DisplayName("a trace that does not exist")
    void missingTrace() {
        Path trace = dir.resolve("absent.csv");
        assertFails(
                demo("--trace", trace.toString()),
                "cannot read trace " + trace + ": no such file; give a CSV file of seconds,value rows");
    }

    @Test
    @DisplayName("a trace with a value that is not a number names the file and the line")
    void badTrace() throws Exception {
        Path trace = Files.writeString(dir.resolve("t.csv"), "seconds,value\n0,1\n30,lots\n");
        assertFails(demo("--trace", trace.toString()), "trace " + trace + " line 3: value \"lots\" is not a number");
    }

    @Test
    @DisplayName("a config file with an invalid field names the file and the field")
    void badConfig() throws Exception {
        Path config = Files.writeString(dir.resolve("c.json"), "{\"minReplicas\": 3, \"maxReplicas\": 2}");
        assertFails(
                demo("--config", config.toString()),
                "bad config " + config + ": maxReplicas: must be >= "
                        + "minReplicas (3), got 2 (the fields are in the README, \"Target config\")");
    }

    @Test
    @DisplayName("a config file that is not JSON names the file, line and column")
    void configNotJson() throws Exception {
        Path config = Files.writeString(dir.resolve("c.json"), "{\"maxReplicas\": 5\n");
        assertFails(
                demo("--config", config.toString()),
                "bad config " + config + ": not valid JSON: Unexpected "
                        + "end-of-input: expected close marker for Object (line 2, column 1); give a target "
                        + "config (JSON) such "
                        + "as " + DemoConfig.DEFAULT_JSON);
    }

    @Test
    @DisplayName("a config for another workload, or more pods than the demo simulates, is refused")
    void configTheDemoCannotRun() throws Exception {
        Path other = Files.writeString(
                dir.resolve("o.json"),
                "{\"maxReplicas\": 5, \"scaleTargetRef\": {\"kind\": \"Deployment\", \"name\": \"api\"}}");
        assertFails(
                demo("--config", other.toString()),
                "bad config " + other + ": scaleTargetRef: the demo's "
                        + "workload is Deployment web, got Deployment api");
        Path big = Files.writeString(dir.resolve("b.json"), "{\"maxReplicas\": 500}");
        assertFails(
                demo("--config", big.toString()),
                "bad config " + big + ": maxReplicas: the demo simulates at " + "most 50 pods, got 500");
    }

    @Test
    @DisplayName("bad options")
    void badOptions() {
        String help = " (see zkscale demo --help)";
        assertFails(demo("--duration", "5s"), "--duration: must be between 20s and 1h, got 5s" + help);
        assertFails(
                demo("--duration", "soon"),
                "Invalid value for option '--duration': expected a duration like 90s, 2m or 1m30s, got \"soon\""
                        + help);
        assertFails(
                demo("--failover", "explode"),
                "Invalid value for option '--failover': expected crash or stop, got \"explode\"" + help);
        assertFails(
                demo("--port=http"),
                "Invalid value for option '--port': expected a port number from 0 to 65535, got \"http\"" + help);
        assertFails(demo("--frob"), "Unknown option: '--frob'" + help);
    }

    @Test
    @DisplayName("--help prints the usage and exits 0")
    void help() {
        Result r = demo("--help");
        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("Usage: zkscale demo"), r.out());
    }
}
