package dev.zkscale.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zkscale.codec.InvalidInputException;
import dev.zkscale.codec.SnapshotCodec;
import dev.zkscale.core.Decider;
import dev.zkscale.core.Decision;
import dev.zkscale.core.Snapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Where the time of one {@code explain} line goes: each stage of {@link DecisionBenchmark#explainLine} on its own, on
 * the same snapshot. Not part of the default {@code bench} run; pick it with
 * {@code ./mvnw -B -Pbench test-compile exec:exec -Djmh.include=ExplainStagesBenchmark}.
 */
public class ExplainStagesBenchmark extends DecisionBenchmarkSettings {
    @Param({"100"})
    public int pods;

    private String line;
    private JsonNode tree;
    private Decision decision;
    private ObjectNode decisionJson;
    /** Every RFC 3339 time in the snapshot, as read by {@code SnapshotCodec.read}. */
    private List<String> times;

    @Setup(Level.Trial)
    public void setUp() throws JsonProcessingException, InvalidInputException {
        line = SnapshotCodec.MAPPER.writeValueAsString(DecisionBenchmark.snapshotJson(pods, 42));
        tree = SnapshotCodec.MAPPER.readTree(line);
        Snapshot snapshot = SnapshotCodec.read(tree, DecisionBenchmark.CEILING);
        decision = Decider.decide(snapshot);
        decisionJson = SnapshotCodec.write(decision);
        times = new ArrayList<>();
        collectTimes(tree, times);
        System.out.printf("%n[setup] pods=%d: %d times in the snapshot%n", pods, times.size());
    }

    private static void collectTimes(JsonNode node, List<String> out) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) node::fields) {
                String name = e.getKey();
                if (e.getValue().isTextual()
                        && (name.equals("now")
                                || name.endsWith("Time")
                                || name.equals("time")
                                || name.equals("timestamp"))) {
                    out.add(e.getValue().asText());
                } else {
                    collectTimes(e.getValue(), out);
                }
            }
        } else if (node.isArray()) {
            node.forEach(child -> collectTimes(child, out));
        }
    }

    /** 1. The JSON line to a Jackson tree. */
    @Benchmark
    public JsonNode parseTree() throws JsonProcessingException {
        return SnapshotCodec.MAPPER.readTree(line);
    }

    /** 2. The tree to a validated Snapshot. */
    @Benchmark
    public Snapshot readSnapshot() throws InvalidInputException {
        return SnapshotCodec.read(tree, DecisionBenchmark.CEILING);
    }

    /** 2a. The part of readSnapshot spent in {@link Instant#parse} alone. */
    @Benchmark
    public void parseTimes(Blackhole bh) {
        for (String time : times) {
            bh.consume(Instant.parse(time));
        }
    }

    /** 3. The decision's JSON tree. */
    @Benchmark
    public ObjectNode writeTree() {
        return SnapshotCodec.write(decision);
    }

    /** 4. That tree to a string. */
    @Benchmark
    public String serialize() throws JsonProcessingException {
        return SnapshotCodec.MAPPER.writeValueAsString(decisionJson);
    }
}
