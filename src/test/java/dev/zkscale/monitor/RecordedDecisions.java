package dev.zkscale.monitor;

import dev.zkscale.codec.SnapshotCodec;
import dev.zkscale.core.Decider;
import dev.zkscale.core.Snapshot;
import dev.zkscale.core.TargetRef;

/** Real decisions to record: snapshots of many pods, decided by {@link Decider}. */
public final class RecordedDecisions {
    private RecordedDecisions() {}

    /** A decision of {@code target} at minute {@code minute}, over {@code pods} pods using 300m of 500m each. */
    public static DecisionRecord.Entry entry(TargetRef target, int pods, int minute) throws Exception {
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
}
