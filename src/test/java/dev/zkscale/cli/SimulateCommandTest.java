package dev.zkscale.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zkscale.codec.SnapshotCodec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code zkscale simulate} as a user types it, in-process: its outputs, its errors, and its snapshots replayed. */
class SimulateCommandTest {
    private static final String DEFAULT_CONFIG =
            "{\"minReplicas\":1,\"maxReplicas\":20,\"targetCPUUtilizationPercentage\":60}";
    private static final String OTHER_CONFIG =
            "{\"minReplicas\":2,\"maxReplicas\":20,\"targetCPUUtilizationPercentage\":"
                    + "50,\"behavior\":{\"scaleDown\":{\"stabilizationWindowSeconds\":60}}}";

    private static final String FORECAST_POLICY = ",\"policy\":{\"type\":\"Forecast\"";
    private static final String FORECAST_CONFIG = DEFAULT_CONFIG.replace("}", FORECAST_POLICY + "}}");
    private static final String OTHER_FORECAST = OTHER_CONFIG.substring(0, OTHER_CONFIG.length() - 1) + FORECAST_POLICY
            + ",\"podStartupSeconds\":45,\"quantile\":0.9}}";
    private static final String SHADOW_CONFIG = DEFAULT_CONFIG.replace("}", FORECAST_POLICY + ",\"shadow\":true}}");

    @TempDir
    Path dir;

    record Result(int code, String out, String err) {}

    static Result simulate(String... args) {
        return zkscale(Stream.concat(Stream.of("simulate"), Stream.of(args)).toArray(String[]::new));
    }

    static Result zkscale(String... line) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.execute(
                new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                line);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Path file(String name, String content) throws IOException {
        Path path = dir.resolve(name);
        Files.writeString(path, content);
        return path;
    }

    /** The real workload traces the repository ships in {@code examples/traces}. */
    static final Path TRACES = Path.of("examples", "traces");

    static Stream<Arguments> errors() {
        String ok = "seconds,value\n0,1\n15,2\n30,1\n";
        return Stream.of(
                row("a missing trace", null, "", "cannot read {dir}/trace.csv: no such file"),
                row(
                        "a malformed row, by its line",
                        "seconds,value\n0,1\n15,abc\n",
                        "",
                        "{dir}/trace.csv: line 3: value: not a number: \"abc\""),
                row("a negative value", "0,1\n15,-2\n", "", "{dir}/trace.csv: line 2: value: must be >= 0, got -2"),
                row(
                        "seconds not ascending",
                        "0,1\n15,2\n\n15,3\n",
                        "",
                        "{dir}/trace.csv: line 4: seconds: must be ascending, got 15 after 15"),
                row("a short row", "0,1\n15\n", "", "{dir}/trace.csv: line 2: expected 2 columns, got 1: \"15\""),
                row(
                        "a header without the value column",
                        "time,load\n0,1\n",
                        "",
                        "{dir}/trace.csv: line 1: not a row of two numbers (seconds,value) nor a header naming the "
                                + "columns seconds and value: \"time,load\""),
                row("an empty trace", "seconds,value\n", "", "{dir}/trace.csv: no rows (seconds,value)"),
                row(
                        "a cut that keeps no row",
                        ok,
                        "--from 100 --to 200",
                        "{dir}/trace.csv: no rows between --from 100 and --to 200 (the trace runs from 0 to 30)"),
                row("a missing config", ok, "--config {dir}/none.json", "cannot read {dir}/none.json: no such file"),
                row("a zero sync period", ok, "--sync-period 0", "--sync-period: must be > 0, got 0"),
                row(
                        "a sync period that is no number",
                        ok,
                        "--sync-period 15x",
                        "Invalid value for option '--sync-period': '15x' is not a double (see zkscale simulate "
                                + "--help)"),
                row("a negative pod start", ok, "--pod-start -1", "--pod-start: must be >= 0, got -1"),
                row(
                        "a lag that is not finite",
                        ok,
                        "--metrics-lag Infinity",
                        "--metrics-lag: must be >= 0, got Infinity"),
                row("--to before --from", ok, "--from 20 --to 10", "--to: must be >= 20, got 10"),
                row(
                        "a pod start beyond simulated time",
                        ok,
                        "--pod-start 1e300",
                        "--pod-start: must be <= 10000000000 s, got 1.0E300"),
                row(
                        "a trace with a gap of centuries",
                        "0,1\n1e17,2\n",
                        "--sync-period 1e9",
                        "{dir}/trace.csv: spans 1.0E17 s, more than the limit of 10000000000 (the trace runs from 0 "
                                + "to 1.0E17 s); cut it with --from/--to"),
                row(
                        "a gap of years at 15 s a pass",
                        "0,1\n1e9,2\n",
                        "",
                        "{dir}/trace.csv: 66666667 passes of --sync-period 15 s, more than the limit of 50000000 (the "
                                + "trace runs from 0 to 1000000000 s); raise --sync-period or cut the trace with "
                                + "--from/--to"),
                row(
                        "a tiny sync period",
                        ok,
                        "--sync-period 1e-300",
                        "{dir}/trace.csv: 3.0E301 passes of --sync-period 1.0E-300 s, more than the limit of 50000000"
                                + " (the trace runs from 0 to 30 s); raise --sync-period or cut the trace with "
                                + "--from/--to"),
                row(
                        "more initial pods than the ceiling",
                        ok,
                        "--initial-replicas 2000000000",
                        "--initial-replicas: must be <= 1000 (zkscale.max-replicas-ceiling), got 2000000000"),
                row(
                        "a request whose default limit would overflow",
                        ok,
                        "--request-millicpu 9223372036854775807",
                        "--request-millicpu: must be <= 1000000000000 (a billion cores), got 9223372036854775807"),
                row(
                        "a limit under the request",
                        ok,
                        "--limit-millicpu 100",
                        "--limit-millicpu: must be >= the request (500), got 100"),
                row("a zero peak", ok, "--peak-millicpu 0", "--peak-millicpu: must be > 0, got 0"),
                row("snapshots every 0 passes", ok, "--snapshots-every 0", "--snapshots-every: must be >= 1, got 0"),
                row(
                        "a chart that is neither SVG nor PNG",
                        ok,
                        "--chart {dir}/chart.gif",
                        "--chart: the file must end in .svg or .png, got {dir}/chart.gif"),
                row(
                        "an unknown output",
                        ok,
                        "--output xml",
                        "Invalid value for option '--output': expected one of [table, json] (case-sensitive) but was"
                                + " 'xml' (see zkscale simulate --help)"),
                row(
                        "an unknown option",
                        ok,
                        "--speed 2",
                        "Unknown options: '--speed', '2' (see zkscale simulate --help)"),
                row(
                        "both a trace and a record",
                        ok,
                        "--record {dir}/trace.csv",
                        "Error: --trace=FILE, --record=FILE are mutually exclusive (specify only one) (see "
                                + "zkscale simulate --help)"),
                row(
                        "an output directory that does not exist",
                        ok,
                        "--chart {dir}/none/chart.svg",
                        "cannot write {dir}/none/chart.svg: no such directory {dir}/none"));
    }

    private static Arguments row(String name, String trace, String extraArgs, String message) {
        return Arguments.of(Named.of(name, trace), extraArgs, message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    @DisplayName("every error is one line naming the file, line or option, exit 2, and no output file")
    void errors(String trace, String extraArgs, String message) throws IOException {
        Path out = Files.createDirectory(dir.resolve("out"));
        if (trace != null) {
            file("trace.csv", trace);
        }
        file("config.json", DEFAULT_CONFIG);
        List<String> args = new ArrayList<>(List.of(
                "--trace",
                dir.resolve("trace.csv").toString(),
                "--config",
                dir.resolve("config.json").toString(),
                "--timeline",
                out.resolve("timeline.jsonl").toString(),
                "--snapshots",
                out.resolve("snapshots.jsonl").toString()));
        if (!extraArgs.isEmpty()) {
            args.addAll(Arrays.asList(extraArgs.replace("{dir}", dir.toString()).split(" ")));
        }
        if (!String.join(" ", args).contains(".svg") && !String.join(" ", args).contains("--chart")) {
            args.addAll(List.of("--chart", out.resolve("chart.png").toString()));
        }
        Result r = simulate(args.toArray(String[]::new));
        assertEquals(2, r.code(), r.err());
        assertEquals("", r.out());
        assertEquals("zkscale simulate: " + message.replace("{dir}", dir.toString()) + "\n", r.err());
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(List.of(), files.toList());
        }
    }

    static Stream<Arguments> invalidConfigs() {
        return Stream.of(
                Arguments.of(Named.of("no maxReplicas", "{\"minReplicas\":2}")),
                Arguments.of(
                        Named.of("maxReplicas under minReplicas", "{\n  \"minReplicas\": 3,\n  \"maxReplicas\": 2\n}")),
                Arguments.of(Named.of("an unknown field", "{\"maxReplicas\":5,\"speed\":1}")),
                Arguments.of(Named.of(
                        "a policy out of range, on its line",
                        "{\"maxReplicas\":5,\"behavior\":{\n"
                                + "\"scaleUp\":{\"policies\":[{\"type\":\"Pods\","
                                + "\"value\":0,\"periodSeconds\":15}]}}}")),
                Arguments.of(Named.of("not JSON", "{\"maxReplicas\":")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    @DisplayName("an invalid config is refused with the words of zkscale config validate")
    void invalidConfigs(String config) throws IOException {
        Path configFile = file("config.json", config);
        Path trace = file("trace.csv", "0,1\n15,2\n");
        Result validate = zkscale("config", "validate", configFile.toString());
        String validated = validate.err();
        Result r = simulate("--trace", trace.toString(), "--config", configFile.toString());
        assertEquals(validate.code(), r.code());
        assertEquals(validated.replace("zkscale config validate: ", "zkscale simulate: "), r.err());
        assertTrue(r.err().startsWith("zkscale simulate: " + configFile + ": "), r.err());
    }

    @Test
    @DisplayName("a decision record that is not one is refused with the entry and the field")
    void invalidRecord() throws IOException {
        Path record = file("record.json", "[{\"snapshot\":{\"now\":\"yesterday\"},\"decision\":{}}]");
        Path config = file("config.json", DEFAULT_CONFIG);
        Result r = simulate("--record", record.toString(), "--config", config.toString());
        assertEquals(2, r.code());
        assertEquals(
                "zkscale simulate: " + record + ": entry 1: snapshot.now: must be an RFC 3339 UTC time like "
                        + "2026-01-01T00:00:00Z, got \"yesterday\"\n",
                r.err());

        Path lines =
                file("lines.jsonl", "{\"now\":\"2026-01-01T00:00:00Z\",\"scale\":{\"specReplicas\":1e2147483648}}\n");
        Result unholdable = simulate("--record", lines.toString(), "--config", config.toString());
        assertEquals(2, unholdable.code());
        assertEquals(
                "zkscale simulate: " + lines + ": line 1: scale.specReplicas: number out of range "
                        + "(line 1, column 55)\n",
                unholdable.err());
    }

    @Test
    @DisplayName(
            "maxReplicas is capped at zkscale.max-replicas-ceiling as in run and explain; a bad ceiling is refused")
    void ceiling() throws Exception {
        Path trace = file("trace.csv", "0,1\n15,2\n");
        Path config = file("config.json", DEFAULT_CONFIG);
        try {
            System.setProperty(CliSettings.MAX_REPLICAS_CEILING, "5");
            Result capped = simulate("--trace", trace.toString(), "--config", config.toString(), "--output", "json");
            assertEquals(0, capped.code(), capped.err());
            JsonNode report = SnapshotCodec.MAPPER.readTree(capped.out());
            assertEquals(5, report.at("/results/0/config/maxReplicas").asInt());
            // The default peak follows the capped config: 0.9 x 5 x 500 x 60 / 100.
            assertEquals(1350.0, report.at("/model/peakMilliCpu").asDouble());
            System.setProperty(CliSettings.MAX_REPLICAS_CEILING, "none");
            Result refused = simulate("--trace", trace.toString(), "--config", config.toString());
            assertEquals(
                    new Result(
                            2,
                            "",
                            "zkscale simulate: setting zkscale.max-replicas-ceiling: Expected an integer value, got "
                                    + "\"none\"\n"),
                    refused);
        } finally {
            System.clearProperty(CliSettings.MAX_REPLICAS_CEILING);
        }
    }

    /** Two hours of the NASA trace, both configs, every output. */
    private Result nasaTwoHours(String... more) throws IOException {
        return nasaTwoHoursWith(DEFAULT_CONFIG, OTHER_CONFIG, more);
    }

    private Result nasaTwoHoursWith(String first, String second, String... more) throws IOException {
        List<String> args = new ArrayList<>(List.of(
                "--trace",
                TRACES.resolve("nasa_http_1995-07_req_per_min.csv").toString(),
                "--to",
                "7200",
                "--config",
                file("default.json", first).toString(),
                "--config",
                file("other.json", second).toString()));
        args.addAll(List.of(more));
        return simulate(args.toArray(String[]::new));
    }

    static Stream<Arguments> replayedConfigs() {
        return Stream.of(
                Arguments.of(Named.of("the HPA, legacy and with behavior", DEFAULT_CONFIG), OTHER_CONFIG),
                Arguments.of(
                        Named.of("the Forecast policy, legacy and with behavior", FORECAST_CONFIG), OTHER_FORECAST),
                Arguments.of(Named.of("the Forecast policy in shadow, and active", SHADOW_CONFIG), FORECAST_CONFIG));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("replayedConfigs")
    @DisplayName("the snapshots replay through explain to the decisions the simulation made, pass by pass")
    void snapshotsReplay(String first, String second) throws Exception {
        Path snapshots = dir.resolve("snapshots.jsonl");
        Path timeline = dir.resolve("timeline.jsonl");
        Result r =
                nasaTwoHoursWith(first, second, "--snapshots", snapshots.toString(), "--timeline", timeline.toString());
        assertEquals(0, r.code(), r.err());
        List<JsonNode> passes = lines(timeline);
        List<JsonNode> snapshotLines = lines(snapshots);
        assertEquals(2 * 481, passes.size());
        assertEquals(passes.size(), snapshotLines.size());

        Result explained = zkscale("explain", snapshots.toString());
        assertEquals(0, explained.code(), explained.err());
        List<JsonNode> decisions = new ArrayList<>();
        for (String line : explained.out().split("\n")) {
            decisions.add(SnapshotCodec.MAPPER.readTree(line));
        }
        assertEquals(passes.size(), decisions.size());
        int rescales = 0;
        for (int i = 0; i < passes.size(); i++) {
            JsonNode pass = passes.get(i);
            JsonNode decision = decisions.get(i);
            String at = "config " + pass.get("config") + ", t=" + pass.get("t");
            assertEquals(pass.get("specReplicas"), decision.get("currentReplicas"), at);
            assertEquals(pass.get("desiredReplicas"), decision.get("desiredReplicas"), at);
            assertEquals(pass.get("utilizationPercent"), decision.get("utilizationPercent"), at);
            assertEquals(pass.get("error"), decision.get("error"), at);
            rescales += pass.get("specReplicas").equals(pass.get("desiredReplicas")) ? 0 : 1;
            // The write always succeeds: the next snapshot carries the history explain's decision leaves.
            if (i + 1 < passes.size() && passes.get(i + 1).get("config").equals(pass.get("config"))) {
                assertEquals(decision.get("history"), snapshotLines.get(i + 1).get("history"), at);
            }
        }
        assertTrue(rescales > 10, "the two hours should scale: " + rescales);
    }

    @Test
    @DisplayName("a policy in shadow never writes: the HPA's decisions, the policy's recommendation only recorded")
    void shadowNeverWrites() throws Exception {
        Path timeline = dir.resolve("timeline.jsonl");
        Path snapshots = dir.resolve("snapshots.jsonl");
        Result r = nasaTwoHoursWith(
                DEFAULT_CONFIG, SHADOW_CONFIG, "--timeline", timeline.toString(), "--snapshots", snapshots.toString());
        assertEquals(0, r.code(), r.err());
        List<JsonNode> hpa = new ArrayList<>();
        List<JsonNode> shadow = new ArrayList<>();
        for (JsonNode pass : lines(timeline)) {
            boolean first = pass.get("config").asInt() == 0;
            ((ObjectNode) pass).remove("config");
            (first ? hpa : shadow).add(pass);
        }
        assertEquals(481, hpa.size());
        assertEquals(hpa, shadow, "every pass of the shadow config is the HPA's");
        Result explained = zkscale("explain", snapshots.toString());
        long recorded = Arrays.stream(explained.out().split("\n"))
                .filter(line -> line.contains("\"policy\":{\"type\":\"Forecast\",\"shadow\":true"))
                .count();
        assertEquals(481, recorded, "each pass of the shadow config records the policy's recommendation");
    }

    @Test
    @DisplayName("--snapshots-every N writes passes 0, N, 2N, ... of each config")
    void snapshotsEvery() throws Exception {
        Path snapshots = dir.resolve("snapshots.jsonl");
        assertEquals(
                0,
                nasaTwoHours("--snapshots", snapshots.toString(), "--snapshots-every", "100")
                        .code());
        List<String> nows =
                lines(snapshots).stream().map(s -> s.get("now").asText()).toList();
        List<String> expected = List.of(
                "2026-01-01T00:00:00Z",
                "2026-01-01T00:25:00Z",
                "2026-01-01T00:50:00Z",
                "2026-01-01T01:15:00Z",
                "2026-01-01T01:40:00Z");
        List<String> both = new ArrayList<>(expected);
        both.addAll(expected);
        assertEquals(both, nows);
    }

    @Test
    @DisplayName("the table, the JSON report, the timeline and both kinds of chart")
    void outputs() throws Exception {
        Path svg = dir.resolve("chart.svg");
        Result table = nasaTwoHours("--chart", svg.toString());
        assertEquals(0, table.code(), table.err());
        assertEquals("", table.err());
        String[] lines = table.out().split("\n");
        assertTrue(lines[0].startsWith("trace "), lines[0]);
        assertTrue(lines[2].trim().matches(".*default\\.json +.*other\\.json"), lines[2]);
        assertTrue(lines[3].matches("passes +481 +481"), lines[3]);
        assertTrue(Files.readString(svg).contains("<svg"));

        Path png = dir.resolve("chart.png");
        Result json = nasaTwoHours("--output", "json", "--chart", png.toString());
        assertEquals(0, json.code(), json.err());
        byte[] magic = Arrays.copyOf(Files.readAllBytes(png), 4);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, magic);
        JsonNode report = SnapshotCodec.MAPPER.readTree(json.out());
        assertEquals(481, report.at("/results/0/figures/passes").asInt());
        assertEquals(
                60,
                report.at("/results/0/config/targetCPUUtilizationPercentage").asInt());
        assertEquals(2, report.at("/results/1/initialReplicas").asInt());
        assertEquals(15, report.at("/model/syncPeriodSeconds").asInt());
        assertEquals(7200, report.at("/model/to").asInt());
        // The default peak: 90% of 20 pods at 60% of 500 millicores.
        assertEquals(5400.0, report.at("/model/peakMilliCpu").asDouble());
        for (String figure : List.of("replicaHours", "overTargetPercent", "meanUtilizationPercent", "scaleUps")) {
            String cell = String.format(
                    java.util.Locale.ROOT,
                    figure.equals("scaleUps") ? "%.0f" : "%.2f",
                    report.at("/results/1/figures/" + figure).asDouble());
            assertTrue(table.out().contains(cell), figure + " " + cell);
        }
    }

    @Test
    @DisplayName("--record derives demand from the usage in a record's snapshots, as JSON Lines or as served")
    void record() throws Exception {
        Path snapshots = dir.resolve("snapshots.jsonl");
        assertEquals(0, nasaTwoHours("--snapshots", snapshots.toString()).code());
        List<JsonNode> first = lines(snapshots).subList(0, 121);
        // As GET /api/v1/targets/{ns}/{name}/decisions serves it: [{"snapshot", "decision", "write"}].
        StringBuilder served = new StringBuilder("[");
        for (JsonNode s : first) {
            served.append(served.length() > 1 ? "," : "")
                    .append("{\"snapshot\":")
                    .append(s)
                    .append(",\"decision\":{},\"write\":null}");
        }
        Path record = file("record.json", served.append("]").toString());
        Path timeline = dir.resolve("timeline.jsonl");
        Path config = dir.resolve("other.json");
        Result fromRecord = simulate(
                "--record", record.toString(), "--config", config.toString(), "--timeline", timeline.toString());
        assertEquals(0, fromRecord.code(), fromRecord.err());
        List<JsonNode> passes = lines(timeline);
        assertEquals(121, passes.size());
        for (int i = 0; i < passes.size(); i++) {
            long usage = 0;
            for (JsonNode m : first.get(i).get("podMetrics")) {
                usage += m.at("/containers/0/usageMilliCpu").asLong();
            }
            assertEquals(15.0 * i, passes.get(i).get("t").asDouble());
            assertEquals((double) usage, passes.get(i).get("demandMilliCpu").asDouble(), "t=" + 15 * i);
        }
        Path lines = file(
                "lines.jsonl",
                String.join("\n", first.stream().map(JsonNode::toString).toList()));
        Result fromLines = simulate("--record", lines.toString(), "--config", config.toString());
        assertEquals(fromRecord.out().replace(record.toString(), lines.toString()), fromLines.out());
    }

    @Test
    @DisplayName("both real traces in examples/traces run whole with sane figures")
    void realTracesRun() throws Exception {
        for (String trace :
                List.of("nasa_http_1995-07_req_per_min.csv", "alibaba2018_cluster_cpu_util_30s_days3-8.csv")) {
            Result r = simulate(
                    "--trace",
                    TRACES.resolve(trace).toString(),
                    "--config",
                    file("default.json", DEFAULT_CONFIG).toString(),
                    "--config",
                    file("other.json", OTHER_CONFIG).toString(),
                    "--output",
                    "json");
            assertEquals(0, r.code(), r.err());
            JsonNode report = SnapshotCodec.MAPPER.readTree(r.out());
            long expectedPasses =
                    (long) Math.floor(report.at("/trace/lastSecond").asDouble() / 15) + 1;
            for (JsonNode result : report.get("results")) {
                JsonNode f = result.get("figures");
                String which = trace + " " + result.get("file").asText() + ": " + f;
                assertEquals(expectedPasses, f.get("passes").asLong(), which);
                assertTrue(f.get("replicaHours").asDouble() > 0, which);
                assertTrue(f.get("peakReplicas").asInt() <= 20, which);
                assertEquals(0, f.get("undecidedPasses").asLong(), which);
                assertTrue(f.get("meanUtilizationPercent").asDouble() > 10, which);
                assertTrue(f.get("meanUtilizationPercent").asDouble() < 100, which);
                assertTrue(f.get("saturatedPercent").asDouble() < 5, which);
                assertTrue(f.get("overTargetPercent").asDouble() < 50, which);
                assertTrue(f.get("scaleUps").asLong() > 0 && f.get("scaleDowns").asLong() > 0, which);
            }
        }
    }

    private static List<JsonNode> lines(Path file) throws IOException {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            nodes.add(SnapshotCodec.MAPPER.readTree(line));
        }
        return nodes;
    }
}
