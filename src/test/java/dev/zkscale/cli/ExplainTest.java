package dev.zkscale.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zkscale.codec.SnapshotCodec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExplainTest {
    /** Three ready pods at 90% of a 50% target: the HPA asks for 6 (ceil(1.8 x 3)). */
    static final String SNAPSHOT =
            "{\"now\":\"2026-01-01T00:10:00Z\",\"target\":{\"namespace\":\"shop\",\"name\":\"web\"},"
                    + "\"config\":{\"maxReplicas\":10,\"targetCPUUtilizationPercentage\":50},"
                    + "\"scale\":{\"specReplicas\":3},"
                    + "\"pods\":[" + pod("web-1") + "," + pod("web-2") + "," + pod("web-3") + "],"
                    + "\"podMetrics\":[" + usage("web-1") + "," + usage("web-2") + "," + usage("web-3") + "],"
                    + "\"history\":{\"recommendations\":[],\"scaleUpEvents\":[],\"scaleDownEvents\":[]}}";

    private static String pod(String name) {
        return "{\"name\":\"" + name + "\",\"phase\":\"Running\",\"ready\":true,\"startTime\":\"2026-01-01T00:00:00Z\","
                + "\"readyTransitionTime\":\"2026-01-01T00:00:30Z\","
                + "\"containers\":[{\"name\":\"app\",\"requestMilliCpu\":500}]}";
    }

    private static String usage(String pod) {
        return "{\"pod\":\"" + pod + "\",\"timestamp\":\"2026-01-01T00:09:45Z\",\"windowSeconds\":30,"
                + "\"containers\":[{\"name\":\"app\",\"usageMilliCpu\":450}]}";
    }

    @TempDir
    Path dir;

    @AfterEach
    void clearCeiling() {
        System.clearProperty(CliSettings.MAX_REPLICAS_CEILING);
    }

    private record Result(int code, String out, String err) {}

    private static Result run(List<String> args, String stdin) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> command = new ArrayList<>(List.of("explain"));
        command.addAll(args);
        int code = Main.execute(
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                command.toArray(String[]::new));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static List<JsonNode> explain(List<String> args, String stdin) throws Exception {
        Result r = run(args, stdin);
        assertEquals(0, r.code(), r.err());
        List<JsonNode> lines = new ArrayList<>();
        for (String line : r.out().split("\n")) {
            if (!line.isEmpty()) {
                lines.add(SnapshotCodec.MAPPER.readTree(line));
            }
        }
        return lines;
    }

    @Test
    @DisplayName("one decision per snapshot line, in order; bad lines give an error with their line number and the "
            + "run goes on")
    void decisionsInOrder() throws Exception {
        Path file = dir.resolve("snapshots.jsonl");
        Files.writeString(
                file,
                SNAPSHOT + "\n{not json\n\n" + SNAPSHOT.replace("\"specReplicas\":3", "\"specReplicas\":6")
                        + "\n{\"now\":\"2026-01-01T00:10:00Z\"}\n");
        List<JsonNode> out = explain(List.of(file.toString()), "");
        assertEquals(4, out.size());
        assertEquals(6, out.get(0).get("desiredReplicas").asInt());
        assertEquals(90, out.get(0).get("utilizationPercent").asInt());
        assertEquals(2, out.get(1).get("line").asInt());
        assertEquals(6, out.get(2).get("currentReplicas").asInt());
        assertEquals("snapshot.target: required", out.get(3).get("error").asText());
        assertEquals(5, out.get(3).get("line").asInt());
    }

    @Test
    @DisplayName(
            "a FILE's bad byte, a field given twice, data after the object, year 999999999 each cost their own line")
    void badLinesInAFile() throws Exception {
        Path file = dir.resolve("snapshots.jsonl");
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        data.writeBytes((SNAPSHOT + "\n").getBytes(StandardCharsets.UTF_8));
        data.writeBytes("{\"now\":\"2026-01-01T00:10:00Z\",\"x\":\"caf".getBytes(StandardCharsets.UTF_8));
        data.write(0xe9);
        data.writeBytes("\"}\r\n".getBytes(StandardCharsets.UTF_8));
        data.writeBytes((SNAPSHOT.replace("{\"now\":", "{\"now\":\"2026-01-01T00:10:00Z\",\"now\":") + "\n")
                .getBytes(StandardCharsets.UTF_8));
        data.writeBytes((SNAPSHOT + " {}\n").getBytes(StandardCharsets.UTF_8));
        data.writeBytes((SNAPSHOT.replace("2026-01-01T00:10:00Z", "+999999999-01-01T00:10:00Z") + "\n")
                .getBytes(StandardCharsets.UTF_8));
        data.writeBytes(SNAPSHOT.getBytes(StandardCharsets.UTF_8));
        Files.write(file, data.toByteArray());

        List<JsonNode> out = explain(List.of(file.toString()), "");

        assertEquals(6, out.size());
        assertEquals(6, out.get(0).get("desiredReplicas").asInt());
        assertEquals(error("not valid UTF-8 text (byte 39)", 2), out.get(1));
        assertEquals(error("not valid JSON: Duplicate field 'now' (line 1, column 36)", 3), out.get(2));
        assertEquals(
                error(
                        "not valid JSON: more data after the JSON value (line 1, column " + (SNAPSHOT.length() + 2)
                                + ")",
                        4),
                out.get(3));
        assertEquals(
                error(
                        "snapshot.now: must be an RFC 3339 UTC time like 2026-01-01T00:00:00Z, got "
                                + "\"+999999999-01-01T00:10:00Z\"",
                        5),
                out.get(4));
        assertEquals(6, out.get(5).get("desiredReplicas").asInt());
    }

    @Test
    @DisplayName("a byte order mark before the first line is no part of it; a line over the limit is refused without "
            + "being held, and the run goes on")
    void byteOrderMarkAndLongLine() throws Exception {
        Path file = dir.resolve("snapshots.jsonl");
        byte[] longLine = new byte[ExplainCommand.MAX_LINE_BYTES + 1];
        Arrays.fill(longLine, (byte) ' ');
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        data.writeBytes(("\uFEFF" + SNAPSHOT + "\n").getBytes(StandardCharsets.UTF_8));
        data.writeBytes(longLine);
        data.writeBytes(("\n" + SNAPSHOT).getBytes(StandardCharsets.UTF_8));
        Files.write(file, data.toByteArray());

        List<JsonNode> out = explain(List.of(file.toString()), "");

        assertEquals(3, out.size());
        assertEquals(6, out.get(0).get("desiredReplicas").asInt());
        assertEquals(error("line too long: 16777217 bytes, the limit is 16777216", 2), out.get(1));
        assertEquals(6, out.get(2).get("desiredReplicas").asInt());
    }

    private static JsonNode error(String message, int line) {
        return SnapshotCodec.MAPPER.createObjectNode().put("error", message).put("line", line);
    }

    @Test
    @DisplayName("with no FILE (or -) it reads standard input")
    void standardInput() throws Exception {
        assertEquals(
                6,
                explain(List.of(), SNAPSHOT + "\n")
                        .get(0)
                        .get("desiredReplicas")
                        .asInt());
        assertEquals(
                6, explain(List.of("-"), SNAPSHOT).get(0).get("desiredReplicas").asInt());
    }

    @Test
    @DisplayName("maxReplicas is capped at zkscale.max-replicas-ceiling, never rejected")
    void ceiling() throws Exception {
        System.setProperty(CliSettings.MAX_REPLICAS_CEILING, "4");
        JsonNode d = explain(List.of(), SNAPSHOT).get(0);
        assertEquals(4, d.get("desiredReplicas").asInt());
        assertEquals("TooManyReplicas", d.get("conditions").get(2).get("reason").asText());
    }

    @Test
    @DisplayName("an unreadable file, extra arguments or a bad ceiling setting are one clear error")
    void usageErrors() {
        assertEquals(
                new Result(2, "", "zkscale explain: cannot read " + dir.resolve("none") + ": no such file\n"),
                run(List.of(dir.resolve("none").toString()), ""));
        assertEquals(
                new Result(2, "", "zkscale explain: Unmatched argument at index 2: 'b' (see zkscale explain --help)\n"),
                run(List.of("a", "b"), ""));
        System.setProperty(CliSettings.MAX_REPLICAS_CEILING, "lots");
        assertEquals(
                new Result(
                        2,
                        "",
                        "zkscale explain: setting zkscale.max-replicas-ceiling: Expected an integer value, got "
                                + "\"lots\"\n"),
                run(List.of(), ""));
        System.setProperty(CliSettings.MAX_REPLICAS_CEILING, "0");
        assertEquals(
                new Result(
                        2,
                        "",
                        "zkscale explain: setting zkscale.max-replicas-ceiling: must be a positive integer, got 0\n"),
                run(List.of(), ""));
    }
}
