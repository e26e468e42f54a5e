package dev.zkscale.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zkscale.codec.SnapshotCodec;
import dev.zkscale.core.Decider;
import dev.zkscale.core.Decision;
import dev.zkscale.core.History;
import dev.zkscale.core.Snapshot;
import dev.zkscale.core.TargetRef;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The decision record keeps what it serves: real snapshots decided by {@link Decider}, recorded, read back and
 * replayed; and it stays within its bounds, per target and over all targets.
 */
class DecisionRecordTest {
    private static final TargetRef BIG = new TargetRef("shop", "big");
    private static final TargetRef SMALL = new TargetRef("shop", "small");

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
            record.add(RecordedDecisions.entry(BIG, 10, minute));
        }

        List<JsonNode> served = record.decisions(BIG);
        assertEquals(3, served.size());
        for (int i = 0; i < served.size(); i++) {
            JsonNode e = served.get(i);
            DecisionRecord.Entry recorded = RecordedDecisions.entry(BIG, 10, i);
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
                RecordedDecisions.entry(BIG, 10, 2).snapshot(),
                record.latest(BIG).orElseThrow().snapshot());
    }

    @Test
    @DisplayName("at most depth decisions per target: the oldest go")
    void depth() throws Exception {
        DecisionRecord record = new DecisionRecord(2, 1 << 20);
        for (int minute = 0; minute < 4; minute++) {
            record.add(RecordedDecisions.entry(BIG, 10, minute));
        }
        assertEquals(List.of(2, 3), minutes(record, BIG));
        assertEquals(2, record.recorded(BIG));
    }

    @Test
    @DisplayName("over the byte budget the oldest decisions of the target holding the most bytes go first")
    void budgetEvictsOldestOfTheLargest() throws Exception {
        DecisionRecord unbounded = new DecisionRecord(100, Long.MAX_VALUE);
        for (int minute = 0; minute < 3; minute++) {
            unbounded.add(RecordedDecisions.entry(BIG, 40, minute));
            unbounded.add(RecordedDecisions.entry(SMALL, 2, minute));
        }
        DecisionRecord record = new DecisionRecord(100, unbounded.bytes() - 1);
        for (int minute = 0; minute < 3; minute++) {
            record.add(RecordedDecisions.entry(BIG, 40, minute));
            record.add(RecordedDecisions.entry(SMALL, 2, minute));
        }

        assertEquals(List.of(1, 2), minutes(record, BIG));
        assertEquals(List.of(0, 1, 2), minutes(record, SMALL));
        // The same entries apart, compressed with the same dictionary (the first big entry's), and the parts they
        // repeat (pods, config) counted once.
        DecisionRecord bigOnly = new DecisionRecord(2, Long.MAX_VALUE);
        DecisionRecord smallOnly = new DecisionRecord(100, Long.MAX_VALUE);
        smallOnly.add(RecordedDecisions.entry(BIG, 40, 0));
        for (int minute = 0; minute < 3; minute++) {
            bigOnly.add(RecordedDecisions.entry(BIG, 40, minute));
            smallOnly.add(RecordedDecisions.entry(SMALL, 2, minute));
        }
        smallOnly.bytes();
        smallOnly.retain(Set.of(SMALL));
        assertEquals(bigOnly.bytes() + smallOnly.bytes(), record.bytes(), "all but the first big entry");
    }

    /** One decision of a sequence: its pods, whether its history is the one the previous decision left, its config. */
    private record Step(int pods, boolean historyCarried, boolean configCapped) {}

    static Stream<Arguments> sequences() {
        Step same = new Step(10, true, false);
        return Stream.of(
                Arguments.of("nothing repeated but the history changes", List.of(same, same, same, same)),
                Arguments.of(
                        "pods that changed between two unchanged entries",
                        List.of(same, new Step(12, true, false), same, same)),
                Arguments.of(
                        "a history that is not the one the previous decision left (its write failed)",
                        List.of(same, new Step(10, false, false), same)),
                Arguments.of("a config changed for one decision", List.of(same, new Step(10, true, true), same, same)),
                Arguments.of(
                        "everything changed at once",
                        List.of(same, new Step(3, false, true), new Step(10, true, false))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sequences")
    @DisplayName("entries that repeat parts of the previous one (pods, config, history) are served exactly as written "
            + "and replay, whatever changed in between")
    void repeatedParts(String name, List<Step> steps) throws Exception {
        DecisionRecord record = new DecisionRecord(100, 1 << 20);
        List<DecisionRecord.Entry> added = new ArrayList<>();
        History history = null;
        for (int minute = 0; minute < steps.size(); minute++) {
            Step step = steps.get(minute);
            Snapshot s = RecordedDecisions.entry(BIG, step.pods(), minute).snapshot();
            Snapshot chained = new Snapshot(
                    s.now(),
                    s.target(),
                    step.configCapped() ? s.config().cappedAt(20) : s.config(),
                    s.specReplicas(),
                    s.statusReplicas(),
                    s.pods(),
                    s.podMetrics(),
                    s.metricsError(),
                    step.historyCarried() ? history : s.history());
            Decision decision = Decider.decide(chained);
            history = decision.historyAfterWrite();
            added.add(new DecisionRecord.Entry(chained, decision, "SUCCESS"));
            record.add(added.get(minute));
        }

        List<JsonNode> served = record.decisions(BIG);
        assertEquals(added.size(), served.size());
        for (int i = 0; i < served.size(); i++) {
            JsonNode e = served.get(i);
            assertEquals(
                    SnapshotCodec.write(added.get(i).snapshot()).toString(),
                    e.get("snapshot").toString());
            assertEquals(
                    SnapshotCodec.write(added.get(i).decision()).toString(),
                    e.get("decision").toString());
            JsonNode replayed = SnapshotCodec.write(Decider.decide(SnapshotCodec.read(e.get("snapshot"), 1000)));
            assertEquals(e.get("decision").toString(), replayed.toString());
        }
        assertEquals(
                written(record.serve(BIG, Integer.MAX_VALUE, Long.MAX_VALUE)).length,
                record.serve(BIG, Integer.MAX_VALUE, Long.MAX_VALUE).length());
    }

    @Test
    @DisplayName("the latest decision of each target is kept even when the budget holds nothing")
    void latestAlwaysKept() throws Exception {
        DecisionRecord record = new DecisionRecord(100, 0);
        for (int minute = 0; minute < 3; minute++) {
            record.add(RecordedDecisions.entry(BIG, 40, minute));
            record.add(RecordedDecisions.entry(SMALL, 2, minute));
        }
        assertEquals(List.of(2), minutes(record, BIG));
        assertEquals(List.of(2), minutes(record, SMALL));
        assertEquals(Set.of(BIG, SMALL), record.targets());
    }

    @Test
    @DisplayName("a target no longer managed is dropped with its bytes")
    void retain() throws Exception {
        DecisionRecord record = new DecisionRecord(100, 1 << 20);
        record.add(RecordedDecisions.entry(SMALL, 2, 0));
        long small = record.bytes();
        record.add(RecordedDecisions.entry(BIG, 40, 0));

        record.retain(Set.of(SMALL));

        assertEquals(Set.of(SMALL), record.targets());
        assertEquals(small, record.bytes());
        assertEquals(List.of(), record.decisions(BIG));
    }

    @Test
    @DisplayName("a target that appears during a pass has its first decision recorded before the pass retains it")
    void newTarget() throws Exception {
        DecisionRecord record = new DecisionRecord(100, 1 << 20);
        record.add(RecordedDecisions.entry(SMALL, 2, 0));
        record.retain(Set.of(SMALL));

        record.add(RecordedDecisions.entry(BIG, 40, 1));

        assertEquals(List.of(1), minutes(record, BIG));
        record.retain(Set.of(SMALL, BIG));
        assertEquals(List.of(1), minutes(record, BIG));
    }

    @Test
    @DisplayName("a request is served the newest decisions within its limit and byte budget, oldest first, and told "
            + "how many the budget left out")
    void served() throws Exception {
        DecisionRecord record = new DecisionRecord(100, 1 << 20);
        for (int minute = 0; minute < 5; minute++) {
            record.add(RecordedDecisions.entry(BIG, 10, minute));
        }
        long newest = written(record.serve(BIG, 1, Long.MAX_VALUE)).length;
        long twoNewest = written(record.serve(BIG, 2, Long.MAX_VALUE)).length;

        assertServed(record.serve(BIG, 2, Long.MAX_VALUE), List.of(3, 4), 0);
        assertServed(record.serve(BIG, Integer.MAX_VALUE, twoNewest), List.of(3, 4), 3);
        assertServed(record.serve(BIG, 4, twoNewest), List.of(3, 4), 2);
        assertServed(record.serve(BIG, Integer.MAX_VALUE, twoNewest - 1), List.of(4), 4);
        assertServed(record.serve(BIG, Integer.MAX_VALUE, newest), List.of(4), 4);
        assertServed(record.serve(BIG, Integer.MAX_VALUE, newest - 1), List.of(), 5);
        assertServed(record.serve(SMALL, Integer.MAX_VALUE, Long.MAX_VALUE), List.of(), 0);
    }

    private static byte[] written(DecisionRecord.Served served) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        served.writeTo(out);
        assertEquals(served.length(), out.size(), "the length announced is the length written");
        return out.toByteArray();
    }

    private static void assertServed(DecisionRecord.Served served, List<Integer> minutes, int truncated)
            throws Exception {
        List<Integer> got = new ArrayList<>();
        for (JsonNode e : SnapshotCodec.MAPPER.readTree(written(served))) {
            got.add(Integer.parseInt(e.at("/snapshot/now").asText().substring(11, 13)));
        }
        assertEquals(minutes, got);
        assertEquals(truncated, served.truncated());
    }

    @Test
    @DisplayName("with the recorder behind by more than its queue holds, every decision is recorded or counted as "
            + "dropped, and the latest is known at once")
    void dropsAreCounted() throws Exception {
        DecisionRecord record = new DecisionRecord(1000, Long.MAX_VALUE, 1, Duration.ofSeconds(30));
        DecisionRecord.Entry entry = RecordedDecisions.entry(BIG, 40, 0);
        for (int i = 0; i < 200; i++) {
            record.add(entry);
            assertEquals(entry, record.latest(BIG).orElseThrow());
        }
        assertEquals(200, record.recorded(BIG) + record.dropped());
        record.close();
    }
}
