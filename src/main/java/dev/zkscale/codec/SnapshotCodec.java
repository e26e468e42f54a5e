package dev.zkscale.codec;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import dev.zkscale.core.Condition;
import dev.zkscale.core.Decision;
import dev.zkscale.core.History;
import dev.zkscale.core.Pod;
import dev.zkscale.core.PodMetrics;
import dev.zkscale.core.PolicyRecommendation;
import dev.zkscale.core.Snapshot;
import dev.zkscale.core.TargetConfig;
import dev.zkscale.core.TargetRef;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads decision snapshots and writes decisions in the JSON shapes {@code zkscale explain} reads and writes and the
 * decision record logs. Every reading error names the field's path; nothing here throws anything else for any JSON
 * input.
 */
public final class SnapshotCodec {
    /**
     * Millicores above this (a billion cores) are refused: no pod has them, and sums must not overflow. Whatever
     * writes snapshots (the loop's metrics, simulate's model) keeps to it, so that its snapshots replay.
     */
    public static final long MAX_MILLI_CPU = 1_000_000_000_000L;

    /** The mapper for all of zkscale's JSON: decimals kept exactly as written, for tolerances. */
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private static final ObjectMapper TREES = new ObjectMapper();

    private static final Set<String> SNAPSHOT_FIELDS = Set.of(
            "now", "target", "config", "scale", "pods", "podMetrics", "metricsError", "history", "competingAutoscaler");
    private static final Set<String> TARGET_FIELDS = Set.of("namespace", "name");
    private static final Set<String> SCALE_FIELDS = Set.of("specReplicas", "statusReplicas");
    private static final Set<String> POD_FIELDS =
            Set.of("name", "phase", "ready", "deleting", "startTime", "readyTransitionTime", "containers");
    private static final Set<String> CONTAINER_FIELDS = Set.of("name", "requestMilliCpu", "restartableInit");
    private static final Set<String> METRICS_FIELDS = Set.of("pod", "timestamp", "windowSeconds", "containers");
    private static final Set<String> USAGE_FIELDS = Set.of("name", "usageMilliCpu");

    private SnapshotCodec() {}

    /** Reads one snapshot; its config's {@code maxReplicas} is capped at {@code ceiling}. */
    public static Snapshot read(JsonNode json, int ceiling) throws InvalidInputException {
        return Fields.read(json, "snapshot", f -> read(f, ceiling));
    }

    /**
     * Reads one snapshot from one line of UTF-8 JSON text, strictly ({@link StrictJson}: no field twice, nothing after
     * the object); its config's {@code maxReplicas} is capped at {@code ceiling}.
     */
    public static Snapshot read(String line, int ceiling) throws InvalidInputException {
        return read(StrictJson.parse(line, "snapshot"), ceiling);
    }

    private static Snapshot read(Fields f, int ceiling) throws InvalidInputException {
        f.only(SNAPSHOT_FIELDS);
        Instant now = HistoryCodec.requiredTime(f, "now");
        Fields t = required(f.object("target"), f.at("target")).only(TARGET_FIELDS);
        TargetRef target =
                new TargetRef(t.kubernetesName("namespace", null, false), t.kubernetesName("name", null, true));
        if (!f.has("config")) {
            throw new InvalidInputException(f.at("config") + ": required");
        }
        TargetConfig config = ConfigCodec.parse(f.raw("config"), f.at("config"), target.name())
                .cappedAt(ceiling);
        Fields scale = required(f.object("scale"), f.at("scale")).only(SCALE_FIELDS);
        int spec = (int) scale.integer("specReplicas", null, 0, Integer.MAX_VALUE);
        int status = (int) scale.integer("statusReplicas", (long) spec, 0, Integer.MAX_VALUE);
        History history = f.has("history") ? HistoryCodec.read(f.object("history")) : null;
        return new Snapshot(
                now,
                target,
                config,
                spec,
                status,
                pods(f),
                podMetrics(f),
                f.optionalString("metricsError"),
                history,
                f.optionalString("competingAutoscaler"));
    }

    private static <T> T required(T value, String path) throws InvalidInputException {
        if (value == null) {
            throw new InvalidInputException(path + ": required");
        }
        return value;
    }

    private static List<Pod> pods(Fields f) throws InvalidInputException {
        List<Pod> pods = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Fields p : f.objects("pods")) {
            p.only(POD_FIELDS);
            String name = unique(p, "name", names);
            List<Pod.Container> containers = new ArrayList<>();
            for (Fields c : p.objects("containers")) {
                c.only(CONTAINER_FIELDS);
                containers.add(new Pod.Container(
                        c.kubernetesName("name", null, false),
                        c.optionalInteger("requestMilliCpu", 0, MAX_MILLI_CPU),
                        c.bool("restartableInit", false)));
            }
            pods.add(new Pod(
                    name,
                    p.has("phase") ? p.string("phase", null) : "",
                    readiness(p),
                    p.bool("deleting", false),
                    p.time("startTime"),
                    p.time("readyTransitionTime"),
                    containers));
        }
        return pods;
    }

    /** A pod's name, given once. */
    private static String unique(Fields f, String field, Set<String> seen) throws InvalidInputException {
        String name = f.kubernetesName(field, null, true);
        if (!seen.add(name)) {
            throw new InvalidInputException(
                    f.at(field) + ": " + Fields.describe(TextNode.valueOf(name)) + " is listed twice");
        }
        return name;
    }

    private static Pod.Readiness readiness(Fields p) throws InvalidInputException {
        JsonNode ready = p.raw("ready");
        if (ready == null || ready.isNull()) {
            return Pod.Readiness.NONE;
        }
        String text =
                ready.isBoolean() ? String.valueOf(ready.booleanValue()) : ready.isTextual() ? ready.asText() : "";
        switch (text) {
            case "true":
            case "True":
                return Pod.Readiness.TRUE;
            case "false":
            case "False":
                return Pod.Readiness.FALSE;
            case "Unknown":
                return Pod.Readiness.UNKNOWN;
            default:
                throw new InvalidInputException(
                        p.at("ready") + ": must be true, false, \"Unknown\" or null, got " + Fields.describe(ready));
        }
    }

    private static List<PodMetrics> podMetrics(Fields f) throws InvalidInputException {
        List<PodMetrics> items = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Fields m : f.objects("podMetrics")) {
            m.only(METRICS_FIELDS);
            String pod = unique(m, "pod", names);
            List<PodMetrics.Usage> usage = new ArrayList<>();
            for (Fields c : m.objects("containers")) {
                c.only(USAGE_FIELDS);
                usage.add(new PodMetrics.Usage(
                        c.kubernetesName("name", null, false), c.optionalInteger("usageMilliCpu", 0, MAX_MILLI_CPU)));
            }
            Instant timestamp = m.time("timestamp");
            items.add(new PodMetrics(
                    pod,
                    timestamp == null ? Pod.VERY_OLD : timestamp,
                    m.integer("windowSeconds", 0L, 0, Integer.MAX_VALUE),
                    usage));
        }
        return items;
    }

    /** Writes JSON to a generator: {@link SnapshotCodec#write(JsonGenerator, Snapshot)} and the like. */
    @FunctionalInterface
    public interface Writer {
        void write(JsonGenerator out) throws IOException;
    }

    /**
     * Writes the parts of a snapshot and its decision that often repeat from one decision of a target to the next: the
     * config, the pods and the histories. Equal values have the same JSON, so a writer that has written one may write
     * what it wrote then (the decision record keeps such parts once).
     */
    @FunctionalInterface
    public interface Parts {
        /** Writes {@code value} (a {@code TargetConfig}, a list of {@code Pod}s or a {@code History}) as a value. */
        void write(JsonGenerator out, Object value, Writer writer) throws IOException;
    }

    /** Each part written as it is. */
    private static final Parts AS_THEY_ARE = (out, value, writer) -> writer.write(out);

    /**
     * What {@code writer} writes, as a tree, with the node types {@code ObjectNode.put} would give (read by a plain
     * mapper: {@link #MAPPER} would turn a double into a decimal of its exact binary value).
     */
    public static ObjectNode tree(Writer writer) {
        try {
            TokenBuffer buffer = new TokenBuffer(TREES, false);
            writer.write(buffer);
            return TREES.readTree(buffer.asParser());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot happen: writing to memory failed", e);
        }
    }

    /** The snapshot as one JSON object, replayable with {@code zkscale explain}. */
    public static ObjectNode write(Snapshot s) {
        return tree(out -> write(out, s));
    }

    /** The decision as one JSON object, fields in the contract's order. */
    public static ObjectNode write(Decision d) {
        return tree(out -> write(out, d));
    }

    /**
     * Writes the snapshot as one JSON object, without building a tree (the decision record writes one a target a pass).
     */
    public static void write(JsonGenerator out, Snapshot s) throws IOException {
        write(out, s, AS_THEY_ARE);
    }

    /**
     * Writes the snapshot as {@link #write(JsonGenerator, Snapshot)} does, its config, pods and history through
     * {@code parts}.
     */
    public static void write(JsonGenerator out, Snapshot s, Parts parts) throws IOException {
        out.writeStartObject();
        Rfc3339.write(out, "now", s.now());
        write(out, "target", s.target());
        out.writeFieldName("config");
        parts.write(out, s.config(), o -> ConfigCodec.write(o, s.config()));
        out.writeObjectFieldStart("scale");
        out.writeNumberField("specReplicas", s.specReplicas());
        out.writeNumberField("statusReplicas", s.statusReplicas());
        out.writeEndObject();
        out.writeFieldName("pods");
        parts.write(out, s.pods(), o -> pods(o, s.pods()));
        out.writeArrayFieldStart("podMetrics");
        for (PodMetrics m : s.podMetrics()) {
            out.writeStartObject();
            out.writeStringField("pod", m.pod());
            Rfc3339.write(out, "timestamp", m.timestamp());
            out.writeNumberField("windowSeconds", m.windowSeconds());
            out.writeArrayFieldStart("containers");
            for (PodMetrics.Usage u : m.containers()) {
                out.writeStartObject();
                out.writeStringField("name", u.name());
                number(out, "usageMilliCpu", u.usageMilliCpu());
                out.writeEndObject();
            }
            out.writeEndArray();
            out.writeEndObject();
        }
        out.writeEndArray();
        if (s.metricsError() != null) {
            out.writeStringField("metricsError", s.metricsError());
        }
        out.writeFieldName("history");
        if (s.history() == null) {
            out.writeNull();
        } else {
            parts.write(out, s.history(), o -> HistoryCodec.write(o, s.history()));
        }
        if (s.competingAutoscaler() != null) {
            out.writeStringField("competingAutoscaler", s.competingAutoscaler());
        }
        out.writeEndObject();
    }

    private static void pods(JsonGenerator out, List<Pod> pods) throws IOException {
        out.writeStartArray();
        for (Pod p : pods) {
            out.writeStartObject();
            out.writeStringField("name", p.name());
            out.writeStringField("phase", p.phase());
            switch (p.ready()) {
                case TRUE -> out.writeBooleanField("ready", true);
                case FALSE -> out.writeBooleanField("ready", false);
                case UNKNOWN -> out.writeStringField("ready", "Unknown");
                case NONE -> out.writeNullField("ready");
            }
            out.writeBooleanField("deleting", p.deleting());
            Rfc3339.write(out, "startTime", p.startTime());
            Rfc3339.write(out, "readyTransitionTime", p.readyTransitionTime());
            out.writeArrayFieldStart("containers");
            for (Pod.Container c : p.containers()) {
                out.writeStartObject();
                out.writeStringField("name", c.name());
                number(out, "requestMilliCpu", c.requestMilliCpu());
                out.writeBooleanField("restartableInit", c.restartableInit());
                out.writeEndObject();
            }
            out.writeEndArray();
            out.writeEndObject();
        }
        out.writeEndArray();
    }

    /** Writes the decision as one JSON object, fields in the contract's order, without building a tree. */
    public static void write(JsonGenerator out, Decision d) throws IOException {
        write(out, d, AS_THEY_ARE);
    }

    /** Writes the decision as {@link #write(JsonGenerator, Decision)} does, its history through {@code parts}. */
    public static void write(JsonGenerator out, Decision d, Parts parts) throws IOException {
        out.writeStartObject();
        write(out, "target", d.target());
        out.writeNumberField("currentReplicas", d.currentReplicas());
        out.writeNumberField("desiredReplicas", d.desiredReplicas());
        number(out, "recommendedReplicas", d.recommendedReplicas());
        number(out, "utilizationPercent", d.utilizationPercent());
        number(out, "rawAverageMilliCpu", d.rawAverageMilliCpu());
        out.writeNumberField("readyPods", d.readyPods());
        strings(out, "unreadyPods", d.unreadyPods());
        strings(out, "missingPods", d.missingPods());
        strings(out, "ignoredPods", d.ignoredPods());
        out.writeArrayFieldStart("conditions");
        for (Condition c : d.conditions()) {
            out.writeStartObject();
            out.writeStringField("type", c.type().name());
            out.writeStringField("status", c.status() ? "True" : "False");
            out.writeStringField("reason", c.reason().name());
            out.writeStringField("message", c.message());
            out.writeEndObject();
        }
        out.writeEndArray();
        out.writeStringField("reason", d.reason());
        out.writeStringField("error", d.error());
        PolicyRecommendation p = d.policy();
        if (p != null) {
            out.writeObjectFieldStart("policy");
            out.writeStringField("type", p.type().name());
            out.writeBooleanField("shadow", p.shadow());
            out.writeNumberField("recommendedReplicas", p.replicas());
            out.writeNumberField("hpaRecommendedReplicas", p.hpaReplicas());
            out.writeNumberField("forecastReplicas", p.forecastReplicas());
            out.writeFieldName("upperReplicas");
            if (p.upperReplicas() == null) {
                out.writeNull();
            } else {
                out.writeNumber(p.upperReplicas());
            }
            out.writeNumberField("horizonSeconds", p.horizonSeconds());
            out.writeEndObject();
        }
        // The history to pass with the next snapshot, as if the write succeeded.
        out.writeFieldName("history");
        parts.write(out, d.historyAfterWrite(), o -> HistoryCodec.write(o, d.historyAfterWrite()));
        out.writeEndObject();
    }

    private static void write(JsonGenerator out, String name, TargetRef target) throws IOException {
        out.writeObjectFieldStart(name);
        out.writeStringField("namespace", target.namespace());
        out.writeStringField("name", target.name());
        out.writeEndObject();
    }

    /** A number field, or null. */
    static void number(JsonGenerator out, String name, Number value) throws IOException {
        out.writeFieldName(name);
        if (value == null) {
            out.writeNull();
        } else if (value instanceof Long l) {
            out.writeNumber(l);
        } else {
            out.writeNumber(value.intValue());
        }
    }

    private static void strings(JsonGenerator out, String name, List<String> values) throws IOException {
        out.writeArrayFieldStart(name);
        for (String v : values) {
            out.writeString(v);
        }
        out.writeEndArray();
    }
}
