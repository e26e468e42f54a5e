package dev.zkscale.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zkscale.codec.SnapshotCodec;
import dev.zkscale.core.Decider;
import dev.zkscale.core.Snapshot;
import dev.zkscale.core.TargetRef;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The decision record keeps what it serves: real snapshots decided by {@link Decider}, recorded, read back and
 * replayed; and it stays within its bounds, per target and over all targets.
 */
class DecisionRecordTest {
    private static final TargetRef BIG = new TargetRef("shop", "big");
    private static final TargetRef SMALL = new TargetRef("shop", "small");

    /** A decision of {@code target} at minute {@code minute}, over {@code pods} pods using 300m of 500m each. */
    private static DecisionRecord.Entry entry(TargetRef target, int pods, int minute) throws Exception {
        StringBuilder p = new StringBuilder();
        StringBuilder m = new StringBuilder();
        for (int i = 0; i < pods; i++) {
            p.append(i > 0 ? "," : "").append("""
                    {"name": "%s-%d", "phase": "Running", "ready": true, "deleting": false,
                     "startTime": "2026-01-01T00:00:00Z", "readyTransitionTime": "2026-01-01T00:00:40Z",
                     "containers": [{"name": "app", "requestMilliCpu": 500, "restartableInit": false}]}
                    """.formatted(target.name(), i));
            m.append(i > 0 ? "," : "").append("""
                    {"pod": "%s-%d", "timestamp": "2026-01-01T%02d:00:00Z", "windowSeconds": 30,
                     "containers": [{"name": "app", "usageMilliCpu": %d}]}
                    """.formatted(target.name(), i, minute, 280 + i % 40));
        }
        Snapshot snapshot = SnapshotCodec.read(
                SnapshotCodec.MAPPER.readTree(
                        """
                {"now": "2026-01-01T%02d:00:15Z", "target": {"namespace": "%s", "name": "%s"},
                 "config": {"minReplicas": 1, "maxReplicas": 100, "targetCPUUtilizationPercentage": 50,
                            "tolerance": 0.10},
                 "scale": {"specReplicas": %d, "statusReplicas": %d}, "pods": [%s], "podMetrics": [%s],
                 "history": {"recommendations": [], "scaleUpEvents": [], "scaleDownEvents": []}}
                    """.formatted(minute, target.namespace(), target.name(), pods, pods, p, m)),
                1000);
        return new DecisionRecord.Entry(snapshot, Decider.decide(snapshot), minute % 2 == 0 ? null : "SUCCESS");
    }

    /** The minutes of the target's recorded decisions, oldest first. */
    private static List<Integer> minutes(DecisionRecord record, TargetRef target) {
        return record.decisions(target).stream()
                .map(e -> Integer.parseInt(e.at("/snapshot/now").asText().substring(11, 13)))
                .toList();
    }

    @Test
    @DisplayName("every recorded decision is served as recorded and replays to the same decision")
    void servedDecisionsReplay() throws Exception {
        DecisionRecord record = new DecisionRecord(100, 1 << 20);
        for (int minute = 0; minute < 3; minute++) {
            record.add(entry(BIG, 10, minute));
        }

        List<JsonNode> served = record.decisions(BIG);
        assertEquals(3, served.size());
        for (int i = 0; i < served.size(); i++) {
            JsonNode e = served.get(i);
            DecisionRecord.Entry recorded = entry(BIG, 10, i);
            assertEquals(
                    SnapshotCodec.write(recorded.snapshot()).toString(),
                    e.get("snapshot").toString());
            assertEquals(
                    SnapshotCodec.write(recorded.decision()).toString(),
                    e.get("decision").toString());
            assertEquals(
                    recorded.write(),
                    e.get("write").isNull() ? null : e.get("write").asText());
            JsonNode replayed = SnapshotCodec.write(Decider.decide(SnapshotCodec.read(e.get("snapshot"), 1000)));
            assertEquals(e.get("decision").toString(), replayed.toString());
        }
        assertEquals(
                entry(BIG, 10, 2).snapshot(), record.latest(BIG).orElseThrow().snapshot());
    }

    @Test
    @DisplayName("at most depth decisions per target: the oldest go")
    void depth() throws Exception {
        DecisionRecord record = new DecisionRecord(2, 1 << 20);
        for (int minute = 0; minute < 4; minute++) {
            record.add(entry(BIG, 10, minute));
        }
        assertEquals(List.of(2, 3), minutes(record, BIG));
        assertEquals(2, record.recorded(BIG));
    }

    @Test
    @DisplayName("over the byte budget the oldest decisions of the target holding the most bytes go first")
    void budgetEvictsOldestOfTheLargest() throws Exception {
        DecisionRecord unbounded = new DecisionRecord(100, Long.MAX_VALUE);
        for (int minute = 0; minute < 3; minute++) {
            unbounded.add(entry(BIG, 40, minute));
            unbounded.add(entry(SMALL, 2, minute));
        }
        DecisionRecord record = new DecisionRecord(100, unbounded.bytes() - 1);
        for (int minute = 0; minute < 3; minute++) {
            record.add(entry(BIG, 40, minute));
            record.add(entry(SMALL, 2, minute));
        }

        assertEquals(List.of(1, 2), minutes(record, BIG));
        assertEquals(List.of(0, 1, 2), minutes(record, SMALL));
        DecisionRecord first = new DecisionRecord(100, Long.MAX_VALUE);
        first.add(entry(BIG, 40, 0));
        assertEquals(unbounded.bytes() - first.bytes(), record.bytes(), "all but the first big entry");
    }

    @Test
    @DisplayName("the latest decision of each target is kept even when the budget holds nothing")
    void latestAlwaysKept() throws Exception {
        DecisionRecord record = new DecisionRecord(100, 0);
        for (int minute = 0; minute < 3; minute++) {
            record.add(entry(BIG, 40, minute));
            record.add(entry(SMALL, 2, minute));
        }
        assertEquals(List.of(2), minutes(record, BIG));
        assertEquals(List.of(2), minutes(record, SMALL));
        assertEquals(Set.of(BIG, SMALL), record.targets());
    }

    @Test
    @DisplayName("a target no longer managed is dropped with its bytes")
    void retain() throws Exception {
        DecisionRecord record = new DecisionRecord(100, 1 << 20);
        record.add(entry(SMALL, 2, 0));
        long small = record.bytes();
        record.add(entry(BIG, 40, 0));

        record.retain(Set.of(SMALL));

        assertEquals(Set.of(SMALL), record.targets());
        assertEquals(small, record.bytes());
        assertEquals(List.of(), record.decisions(BIG));
    }
}
