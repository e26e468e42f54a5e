package dev.zkscale.simulate;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zkscale.codec.ConfigCodec;
import dev.zkscale.codec.SnapshotCodec;
import dev.zkscale.core.TargetConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * What {@code zkscale simulate} found: per config its figures, with the trace and the model they were found on; as a
 * table for a person or as one JSON object.
 *
 * @param trace the trace after the cut
 * @param from {@code --from}, or null
 * @param to {@code --to}, or null
 * @param model the pod model
 * @param peakMilliCpu the highest demand, in millicores
 * @param results one per config, in the order given
 */
public record Report(Trace trace, Double from, Double to, PodModel model, double peakMilliCpu, List<Result> results) {

    /**
     * One config's outcome.
     *
     * @param name where the config came from (its file)
     * @param config the parsed config (capped at the ceiling)
     * @param initialReplicas the pods at the first pass
     * @param figures what it did
     */
    public record Result(String name, TargetConfig config, int initialReplicas, Figures figures) {}

    public Report {
        results = List.copyOf(results);
    }

    /** One JSON object: {@code {"trace": ..., "model": {...}, "results": [{"config": ..., "figures": ...}]}}. */
    public ObjectNode json() {
        return SnapshotCodec.tree(out -> {
            out.writeStartObject();
            out.writeObjectFieldStart("trace");
            out.writeStringField("file", trace.name());
            out.writeNumberField("rows", trace.rows());
            seconds(out, "firstSecond", trace.first());
            seconds(out, "lastSecond", trace.last());
            out.writeNumberField("maxValue", trace.max());
            out.writeEndObject();
            out.writeObjectFieldStart("model");
            optionalSeconds(out, "from", from);
            optionalSeconds(out, "to", to);
            seconds(out, "syncPeriodSeconds", model.syncPeriodSeconds());
            seconds(out, "podStartSeconds", model.podStartSeconds());
            seconds(out, "podReadySeconds", model.podReadySeconds());
            seconds(out, "metricsLagSeconds", model.metricsLagSeconds());
            out.writeFieldName("initialReplicas");
            if (model.initialReplicas() == null) {
                out.writeNull();
            } else {
                out.writeNumber(model.initialReplicas());
            }
            out.writeNumberField("requestMilliCpu", model.requestMilliCpu());
            out.writeNumberField("limitMilliCpu", model.limitMilliCpu());
            out.writeNumberField("startupMilliCpu", model.startupMilliCpu());
            out.writeNumberField("peakMilliCpu", peakMilliCpu);
            out.writeEndObject();
            out.writeArrayFieldStart("results");
            for (Result r : results) {
                out.writeStartObject();
                out.writeStringField("file", r.name());
                out.writeFieldName("config");
                ConfigCodec.write(out, r.config());
                out.writeNumberField("initialReplicas", r.initialReplicas());
                out.writeObjectFieldStart("figures");
                Figures f = r.figures();
                out.writeNumberField("passes", f.passes());
                out.writeNumberField("replicaHours", f.replicaHours());
                out.writeNumberField("overTargetPercent", f.overTargetPercent());
                out.writeNumberField("saturatedPercent", f.saturatedPercent());
                out.writeNumberField("unservedCoreHours", f.unservedCoreHours());
                out.writeNumberField("meanUtilizationPercent", f.meanUtilizationPercent());
                out.writeNumberField("scaleUps", f.scaleUps());
                out.writeNumberField("scaleDowns", f.scaleDowns());
                out.writeNumberField("peakReplicas", f.peakReplicas());
                out.writeNumberField("undecidedPasses", f.undecidedPasses());
                out.writeEndObject();
                out.writeEndObject();
            }
            out.writeEndArray();
            out.writeEndObject();
        });
    }

    /** A table for a person: one column per config, the figures first, then the model's parameters. */
    public String table() {
        List<String[]> rows = new ArrayList<>();
        rows.add(row("", Result::name));
        rows.add(row("passes", r -> Long.toString(r.figures().passes())));
        rows.add(row("replicaHours", r -> decimal(r.figures().replicaHours())));
        rows.add(row("overTargetPercent", r -> decimal(r.figures().overTargetPercent())));
        rows.add(row("saturatedPercent", r -> decimal(r.figures().saturatedPercent())));
        rows.add(row("unservedCoreHours", r -> decimal(r.figures().unservedCoreHours())));
        rows.add(row("meanUtilizationPercent", r -> decimal(r.figures().meanUtilizationPercent())));
        rows.add(row("scaleUps", r -> Long.toString(r.figures().scaleUps())));
        rows.add(row("scaleDowns", r -> Long.toString(r.figures().scaleDowns())));
        rows.add(row("peakReplicas", r -> Integer.toString(r.figures().peakReplicas())));
        rows.add(row("undecidedPasses", r -> Long.toString(r.figures().undecidedPasses())));
        rows.add(row("model:", r -> ""));
        rows.add(row("syncPeriodSeconds", r -> Trace.format(model.syncPeriodSeconds())));
        rows.add(row("podStartSeconds", r -> Trace.format(model.podStartSeconds())));
        rows.add(row("podReadySeconds", r -> Trace.format(model.podReadySeconds())));
        rows.add(row("metricsLagSeconds", r -> Trace.format(model.metricsLagSeconds())));
        rows.add(row("initialReplicas", r -> Integer.toString(r.initialReplicas())));
        rows.add(row("requestMilliCpu", r -> Long.toString(model.requestMilliCpu())));
        rows.add(row("limitMilliCpu", r -> Long.toString(model.limitMilliCpu())));
        rows.add(row("startupMilliCpu", r -> Long.toString(model.startupMilliCpu())));
        rows.add(row("peakMilliCpu", r -> decimal(peakMilliCpu)));
        int[] widths = new int[results.size() + 1];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        out.append("trace ")
                .append(trace.name())
                .append(": ")
                .append(trace.rows())
                .append(" rows, seconds ")
                .append(Trace.format(trace.first()))
                .append(" to ")
                .append(Trace.format(trace.last()))
                .append("\n\n");
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-" + widths[0] + "s", row[0]));
            for (int i = 1; i < row.length; i++) {
                line.append("  ").append(String.format(Locale.ROOT, "%" + widths[i] + "s", row[i]));
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    private String[] row(String label, Function<Result, String> cell) {
        String[] row = new String[results.size() + 1];
        row[0] = label;
        for (int i = 0; i < results.size(); i++) {
            row[i + 1] = cell.apply(results.get(i));
        }
        return row;
    }

    private static String decimal(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }

    /** Seconds as a JSON number: an integer when whole. */
    static void seconds(JsonGenerator out, String name, double seconds) throws IOException {
        out.writeFieldName(name);
        if (seconds == Math.rint(seconds) && Math.abs(seconds) < 1e15) {
            out.writeNumber((long) seconds);
        } else {
            out.writeNumber(seconds);
        }
    }

    private static void optionalSeconds(JsonGenerator out, String name, Double seconds) throws IOException {
        if (seconds == null) {
            out.writeNullField(name);
        } else {
            seconds(out, name, seconds);
        }
    }
}
