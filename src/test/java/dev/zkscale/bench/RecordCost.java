package dev.zkscale.bench;

import dev.zkscale.codec.SnapshotCodec;
import dev.zkscale.core.Decider;
import dev.zkscale.core.Decision;
import dev.zkscale.core.History;
import dev.zkscale.core.PodMetrics;
import dev.zkscale.core.Snapshot;
import dev.zkscale.core.TargetRef;
import dev.zkscale.monitor.DecisionRecord;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the decision record costs its recorder thread, measured, not asserted (not a test; run by hand): {@code
 * targets} targets of {@code pods} pods decided every 5 s of a virtual clock, each pass's snapshot carrying the history
 * the previous decision left (60 recommendations once the 300 s window is full), as the loop feeds it; their pods and
 * config unchanged, their usage changing. After {@code warmup} passes, prints the recorder thread's CPU per entry over
 * {@code passes} more, and the compressed bytes held per entry.
 *
 * <pre>
 * ./mvnw -B -q test-compile
 * java -cp target/test-classes:target/classes:$(cat target/test.cp) dev.zkscale.bench.RecordCost \
 *     [targets pods warmup passes]
 * </pre>
 */
public final class RecordCost {
    private RecordCost() {}

    public static void main(String[] args) throws Exception {
        int targets = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int pods = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 80;
        int passes = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        List<Snapshot> first = new ArrayList<>();
        for (int t = 0; t < targets; t++) {
            first.add(first(new TargetRef("ns" + t % 10, "web-" + t), pods));
        }
        History[] histories = new History[targets];
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (DecisionRecord record = new DecisionRecord(100, 16 << 20)) {
            long cpu = 0;
            for (int pass = 0; pass < warmup + passes; pass++) {
                List<Object[]> entries = new ArrayList<>(targets);
                for (int t = 0; t < targets; t++) {
                    Snapshot s = next(first.get(t), pass, histories[t]);
                    Decision d = Decider.decide(s);
                    histories[t] = d.historyAfterWrite();
                    entries.add(new Object[] {s, d});
                }
                long before = recorderCpu(threads);
                for (Object[] e : entries) {
                    record.add((Snapshot) e[0], (Decision) e[1], null);
                }
                record.bytes();
                if (pass >= warmup) {
                    cpu += recorderCpu(threads) - before;
                }
            }
            long held = record.bytes();
            int entries = 0;
            for (TargetRef target : record.targets()) {
                entries += record.recorded(target);
            }
            System.out.printf(
                    Locale.ROOT,
                    "%d targets x %d pods, %d passes measured after %d: recorder CPU %.1f us an entry; "
                            + "%d entries held in %d bytes, %.0f bytes an entry; JSON of the last entry %d bytes%n",
                    targets,
                    pods,
                    passes,
                    warmup,
                    cpu / 1000.0 / passes / targets,
                    entries,
                    held,
                    held / (double) entries,
                    record.serve(first.get(0).target(), 1, Long.MAX_VALUE).length());
        }
    }

    private static long recorderCpu(ThreadMXBean threads) {
        long cpu = 0;
        for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().equals("zkscale-decision-record")) {
                cpu += threads.getThreadCpuTime(info.getThreadId());
            }
        }
        return cpu;
    }

    private static Snapshot next(Snapshot first, int pass, History history) {
        Instant now = first.now().plusSeconds(5L * pass);
        List<PodMetrics> metrics = new ArrayList<>();
        for (int i = 0; i < first.pods().size(); i++) {
            long usage = 230 + (pass * 7 + i * 13) % 50;
            metrics.add(new PodMetrics(
                    first.pods().get(i).name(), now.minusSeconds(10), 30, List.of(new PodMetrics.Usage("app", usage))));
        }
        return new Snapshot(
                now,
                first.target(),
                first.config(),
                first.specReplicas(),
                first.statusReplicas(),
                first.pods(),
                metrics,
                null,
                history);
    }

    private static Snapshot first(TargetRef target, int pods) throws Exception {
        StringBuilder p = new StringBuilder();
        for (int i = 0; i < pods; i++) {
            p.append(i > 0 ? "," : "").append("""
                    {"name": "%s-5d8f7c9b4-%05d", "phase": "Running", "ready": true, "deleting": false,
                     "startTime": "2026-01-01T00:00:00Z", "readyTransitionTime": "2026-01-01T00:00:40Z",
                     "containers": [{"name": "app", "requestMilliCpu": 500, "restartableInit": false}]}
                    """.formatted(target.name(), i));
        }
        return SnapshotCodec.read(
                SnapshotCodec.MAPPER.readTree("""
                {"now": "2026-01-01T00:00:00Z", "target": {"namespace": "%s", "name": "%s"},
                 "config": {"minReplicas": 1, "maxReplicas": 100, "targetCPUUtilizationPercentage": 50},
                 "scale": {"specReplicas": %d, "statusReplicas": %d}, "pods": [%s], "podMetrics": [],
                 "history": null}
                    """.formatted(target.namespace(), target.name(), pods, pods, p)), 1000);
    }
}
