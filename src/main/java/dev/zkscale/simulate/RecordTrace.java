package dev.zkscale.simulate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zkscale.codec.InvalidInputException;
import dev.zkscale.codec.SnapshotCodec;
import dev.zkscale.codec.StrictJson;
import dev.zkscale.core.Pod;
import dev.zkscale.core.PodMetrics;
import dev.zkscale.core.Snapshot;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/**
 * {@code --record}: a trace measured from a target's decisions, either the decision record that
 * {@code GET /api/v1/targets/{ns}/{name}/decisions} serves (a JSON array of {@code {"snapshot": ..., "decision": ...,
 * "write": ...}}) or snapshots one per line as {@code zkscale explain} reads them. The value at each snapshot's
 * {@code now} (in seconds after the first snapshot's) is the sum of the listed pods' CPU usage in millicores; a
 * snapshot without metrics for any listed pod adds no row (the value before it holds).
 *
 * @param trace the measured trace
 * @param requestMilliCpu the CPU request of the first snapshot's first pod, or null when none is known
 */
public record RecordTrace(Trace trace, Long requestMilliCpu) {

    /** Reads the record or the snapshots in {@code text}, from the file {@code name} (for messages). */
    public static RecordTrace read(String name, String text) throws InvalidInputException {
        Reader reader = new Reader(name);
        if (text.stripLeading().startsWith("[")) {
            JsonNode array;
            try {
                array = StrictJson.parse(text, "");
            } catch (InvalidInputException e) {
                throw new InvalidInputException(name + ": " + e.getMessage());
            }
            for (int i = 0; i < array.size(); i++) {
                reader.add(array.get(i), "entry " + (i + 1));
            }
        } else {
            String[] lines = text.split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                if (lines[i].isBlank()) {
                    continue;
                }
                String where = "line " + (i + 1);
                JsonNode line;
                try {
                    line = StrictJson.parse(lines[i], "");
                } catch (InvalidInputException e) {
                    throw new InvalidInputException(name + ": " + where + ": " + e.getMessage());
                }
                reader.add(line, where);
            }
        }
        return reader.result();
    }

    private static final class Reader {
        private final String name;
        private final Trace.Rows rows = new Trace.Rows();
        private Instant first;
        private Long request;
        private int snapshots;

        Reader(String name) {
            this.name = name;
        }

        void add(JsonNode entry, String where) throws InvalidInputException {
            JsonNode json = entry != null && entry.has("snapshot") ? entry.get("snapshot") : entry;
            Snapshot s;
            try {
                s = SnapshotCodec.read(json, Integer.MAX_VALUE);
            } catch (InvalidInputException e) {
                throw new InvalidInputException(name + ": " + where + ": " + e.getMessage());
            }
            if (snapshots++ == 0) {
                first = s.now();
                request = s.pods().isEmpty() ? null : request(s.pods().get(0));
            }
            double seconds = (s.now().getEpochSecond() - first.getEpochSecond())
                    + (s.now().getNano() - first.getNano()) / 1e9;
            Long usage = usage(s);
            if (usage == null) {
                return;
            }
            if (rows.size() > 0 && seconds <= rows.lastSecond()) {
                throw new InvalidInputException(name + ": " + where + ": snapshot.now: must be later than the "
                        + "snapshot before it, got " + s.now());
            }
            rows.add(seconds, usage);
        }

        /** The sum of the listed pods' usage, or null when no listed pod has a sample. */
        private static Long usage(Snapshot s) {
            if (s.metricsError() != null) {
                return null;
            }
            Set<String> listed = new HashSet<>();
            s.pods().forEach(p -> listed.add(p.name()));
            long sum = 0;
            boolean any = false;
            for (PodMetrics m : s.podMetrics()) {
                if (!listed.contains(m.pod())) {
                    continue;
                }
                for (PodMetrics.Usage u : m.containers()) {
                    if (u.usageMilliCpu() != null) {
                        sum += u.usageMilliCpu();
                        any = true;
                    }
                }
            }
            return any ? sum : null;
        }

        private static Long request(Pod pod) {
            long sum = 0;
            for (Pod.Container c : pod.containers()) {
                if (c.requestMilliCpu() == null) {
                    return null;
                }
                sum += c.requestMilliCpu();
            }
            return sum == 0 ? null : sum;
        }

        RecordTrace result() throws InvalidInputException {
            if (rows.size() == 0) {
                throw new InvalidInputException(name + ": "
                        + (snapshots == 0 ? "no snapshots" : "no snapshot with metrics for its pods")
                        + " (expected the JSON of GET /api/v1/targets/{ns}/{name}/decisions, or snapshots one per"
                        + " line)");
            }
            return new RecordTrace(rows.trace(name), request);
        }
    }
}
