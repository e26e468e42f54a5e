package dev.zkscale.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zkscale.codec.SnapshotCodec;
import dev.zkscale.coordination.ConfigStore;
import dev.zkscale.coordination.ConfigStore.Change;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What {@code zkscale config} prints on standard output: the listing and the history as aligned tables, a change as
 * the fields it changed ({@code a.b: 1 -> 2}), a write as its versions.
 */
final class ConfigPrinter {
    private final PrintStream out;

    ConfigPrinter(PrintStream out) {
        this.out = out;
    }

    void list(List<ConfigStore.Listed> listed) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "VERSION", "STATUS"});
        for (ConfigStore.Listed l : listed) {
            rows.add(new String[] {
                l.key().toString(),
                Integer.toString(l.version()),
                Main.oneLine(l.problem() == null ? "valid" : "invalid: " + l.problem())
            });
        }
        table(rows);
    }

    /** Every change, oldest first, with a row for each change made outside {@code zkscale config} in between. */
    void history(List<Change> changes) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"TIME", "BY", "VERSION", "CHANGE"});
        Change previous = null;
        for (Change c : changes) {
            if (previous != null
                    && previous.toVersion() != null
                    && c.fromVersion() != null
                    && !previous.toVersion().equals(c.fromVersion())) {
                rows.add(new String[] {
                    "?",
                    "?",
                    previous.toVersion() + " -> " + c.fromVersion(),
                    "changed outside zkscale config: " + diff(previous.to(), c.from())
                });
            }
            String versions = (c.fromVersion() == null ? "" : c.fromVersion() + " -> ")
                    + (c.toVersion() == null ? "(deleted)" : c.toVersion().toString());
            String what = switch (c.action()) {
                case CREATE -> "created: " + compact(c.to());
                case SET -> diff(c.from(), c.to());
                case DELETE -> "deleted";
                case ROLLBACK ->
                    "rollback to version " + c.rollbackTo() + ": "
                            + (c.from() == null ? "created: " + compact(c.to()) : diff(c.from(), c.to()));
            };
            rows.add(new String[] {c.time().toString(), c.identity(), versions, Main.oneLine(what)});
            previous = c;
        }
        table(rows);
    }

    /** A write: created, changed from one version to another, or unchanged; a rollback names the version restored. */
    void written(ConfigStore.Written w, Integer rollbackTo) {
        String restoring = rollbackTo == null ? "" : ", restoring version " + rollbackTo;
        if (!w.changed()) {
            out.println(w.key() + ": unchanged (version " + w.version() + ")");
        } else if (w.fromVersion() == null) {
            out.println(w.key() + ": created, version " + w.version() + restoring);
        } else {
            out.println(w.key() + ": version " + w.fromVersion() + " -> " + w.version() + restoring);
        }
    }

    void deleted(ConfigStore.Written w) {
        out.println(w.key() + ": deleted (was version " + w.fromVersion() + ")"
                + (w.key().isDefaults() ? "" : "; no longer managed, its replicas stay as they are"));
    }

    /** What changed between two configs, field by field ({@code a.b: 1 -> 2}); or "content replaced" if not JSON. */
    static String diff(String before, String after) {
        Map<String, String> a = flatten(before);
        Map<String, String> b = flatten(after);
        if (a == null || b == null) {
            return "content replaced";
        }
        List<String> changes = new ArrayList<>();
        Set<String> fields = new TreeSet<>(a.keySet());
        fields.addAll(b.keySet());
        for (String f : fields) {
            String x = a.get(f);
            String y = b.get(f);
            if (!Objects.equals(x, y)) {
                changes.add(f + ": " + (x == null ? "(unset)" : x) + " -> " + (y == null ? "(unset)" : y));
            }
        }
        return changes.isEmpty() ? "no field changed" : String.join(", ", changes);
    }

    private static Map<String, String> flatten(String text) {
        if (text == null) {
            return null;
        }
        try {
            JsonNode json = SnapshotCodec.MAPPER.readTree(text);
            if (json == null || !json.isObject()) {
                return null;
            }
            Map<String, String> fields = new LinkedHashMap<>();
            flatten("", json, fields);
            return fields;
        } catch (IOException | RuntimeException e) {
            // Not JSON, or a number no BigDecimal holds (a ZNode written by another client): shown as text.
            return null;
        }
    }

    private static void flatten(String path, JsonNode json, Map<String, String> into) {
        if (json.isObject() && json.size() > 0) {
            Iterator<Map.Entry<String, JsonNode>> it = json.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                flatten(path.isEmpty() ? e.getKey() : path + "." + e.getKey(), e.getValue(), into);
            }
        } else {
            into.put(path, json.toString());
        }
    }

    private static String compact(String text) {
        try {
            return SnapshotCodec.MAPPER.readTree(text).toString();
        } catch (IOException | RuntimeException e) {
            return String.valueOf(text);
        }
    }

    private void table(List<String[]> rows) {
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length - 1; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(i == row.length - 1 ? row[i] : String.format("%-" + widths[i] + "s  ", row[i]));
            }
            out.println(line.toString().stripTrailing());
        }
    }
}
