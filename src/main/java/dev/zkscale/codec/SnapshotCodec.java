package dev.zkscale.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zkscale.core.Condition;
import dev.zkscale.core.Decision;
import dev.zkscale.core.History;
import dev.zkscale.core.Pod;
import dev.zkscale.core.PodMetrics;
import dev.zkscale.core.Snapshot;
import dev.zkscale.core.TargetConfig;
import dev.zkscale.core.TargetRef;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads decision snapshots and writes decisions in the JSON shapes of CONTRACT section 5. Every reading error names
 * the field's path; nothing here throws anything else for any JSON input.
 */
public final class SnapshotCodec {
    /** Millicores above this (a billion cores) are refused: no pod has them, and sums must not overflow. */
    private static final long MAX_MILLI_CPU = 1_000_000_000_000L;

    /** The mapper for all of zkscale's JSON: decimals kept exactly as written, for tolerances. */
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private static final Set<String> SNAPSHOT_FIELDS = Set.of("now", "target", "config", "scale", "pods", "podMetrics", "metricsError", "history");
    private static final Set<String> TARGET_FIELDS = Set.of("namespace", "name");
    private static final Set<String> SCALE_FIELDS = Set.of("specReplicas", "statusReplicas");
    private static final Set<String> POD_FIELDS = Set.of("name", "phase", "ready", "deleting", "startTime", "readyTransitionTime", "containers");
    private static final Set<String> CONTAINER_FIELDS = Set.of("name", "requestMilliCpu", "restartableInit");
    private static final Set<String> METRICS_FIELDS = Set.of("pod", "timestamp", "windowSeconds", "containers");
    private static final Set<String> USAGE_FIELDS = Set.of("name", "usageMilliCpu");
    private static final Set<String> HISTORY_FIELDS = Set.of("recommendations", "scaleUpEvents", "scaleDownEvents");
    private static final Set<String> ENTRY_FIELDS = Set.of("time", "replicas");

    private SnapshotCodec() {
    }

    /** Reads one snapshot; its config's {@code maxReplicas} is capped at {@code ceiling}. */
    public static Snapshot read(JsonNode json, int ceiling) throws InvalidInputException {
        Fields f = Fields.of(json, "snapshot").only(
                SNAPSHOT_FIELDS);
        Instant now = requiredTime(f, "now");
        Fields t = required(f.object("target"), f.at("target")).only(TARGET_FIELDS);
        TargetRef target = new TargetRef(t.string("namespace", null), t.string("name", null));
        if (!f.has("config")) {
            throw new InvalidInputException(f.at("config") + ": required");
        }
        TargetConfig config = ConfigCodec.parse(f.raw("config"), f.at("config"), target.name()).cappedAt(ceiling);
        Fields scale = required(f.object("scale"), f.at("scale")).only(SCALE_FIELDS);
        int spec = (int) scale.integer("specReplicas", null, 0, Integer.MAX_VALUE);
        int status = (int) scale.integer("statusReplicas", (long) spec, 0, Integer.MAX_VALUE);
        History history = f.has("history") ? history(f.object("history")) : null;
        return new Snapshot(now, target, config, spec, status, pods(f), podMetrics(f), f.optionalString("metricsError"),
                history);
    }

    private static <T> T required(T value, String path) throws InvalidInputException {
        if (value == null) {
            throw new InvalidInputException(path + ": required");
        }
        return value;
    }

    private static Instant requiredTime(Fields f, String name) throws InvalidInputException {
        return required(f.time(name), f.at(name));
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
                containers.add(new Pod.Container(c.string("name", null),
                        c.optionalInteger("requestMilliCpu", 0, MAX_MILLI_CPU), c.bool("restartableInit", false)));
            }
            pods.add(new Pod(name, p.has("phase") ? p.string("phase", null) : "", readiness(p), p.bool("deleting", false),
                    p.time("startTime"), p.time("readyTransitionTime"), containers));
        }
        return pods;
    }

    private static String unique(Fields f, String field, Set<String> seen) throws InvalidInputException {
        String name = f.string(field, null);
        if (!seen.add(name)) {
            throw new InvalidInputException(f.at(field) + ": \"" + name + "\" is listed twice");
        }
        return name;
    }

    private static Pod.Readiness readiness(Fields p) throws InvalidInputException {
        JsonNode ready = p.raw("ready");
        if (ready == null || ready.isNull()) {
            return Pod.Readiness.NONE;
        }
        String text = ready.isBoolean() ? String.valueOf(ready.booleanValue()) : ready.isTextual() ? ready.asText() : "";
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
                throw new InvalidInputException(p.at("ready") + ": must be true, false, \"Unknown\" or null, got "
                        + Fields.describe(ready));
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
                usage.add(new PodMetrics.Usage(c.string("name", null),
                        c.optionalInteger("usageMilliCpu", 0, MAX_MILLI_CPU)));
            }
            Instant timestamp = m.time("timestamp");
            items.add(new PodMetrics(pod, timestamp == null ? Pod.VERY_OLD : timestamp,
                    m.integer("windowSeconds", 0L, 0, Integer.MAX_VALUE), usage));
        }
        return items;
    }

    private static History history(Fields f) throws InvalidInputException {
        f.only(HISTORY_FIELDS);
        return new History(entries(f, "recommendations"), entries(f, "scaleUpEvents"), entries(f, "scaleDownEvents"));
    }

    private static List<History.Entry> entries(Fields f, String name) throws InvalidInputException {
        List<History.Entry> entries = new ArrayList<>();
        for (Fields e : f.objects(name)) {
            e.only(ENTRY_FIELDS);
            entries.add(new History.Entry(requiredTime(e, "time"), (int) e.integer("replicas", null, 0, Integer.MAX_VALUE)));
        }
        return entries;
    }

    /** The snapshot as one JSON object, replayable with {@code zkscale explain}. */
    public static ObjectNode write(Snapshot s) {
        ObjectNode out = MAPPER.createObjectNode();
        out.put("now", Fields.formatTime(s.now()));
        out.putObject("target").put("namespace", s.target().namespace()).put("name", s.target().name());
        out.set("config", ConfigCodec.write(s.config()));
        out.putObject("scale").put("specReplicas", s.specReplicas()).put("statusReplicas", s.statusReplicas());
        ArrayNode pods = out.putArray("pods");
        for (Pod p : s.pods()) {
            ObjectNode pod = pods.addObject().put("name", p.name()).put("phase", p.phase());
            switch (p.ready()) {
                case TRUE -> pod.put("ready", true);
                case FALSE -> pod.put("ready", false);
                case UNKNOWN -> pod.put("ready", "Unknown");
                case NONE -> pod.putNull("ready");
            }
            pod.put("deleting", p.deleting()).put("startTime", time(p.startTime()))
                    .put("readyTransitionTime", time(p.readyTransitionTime()));
            ArrayNode containers = pod.putArray("containers");
            for (Pod.Container c : p.containers()) {
                containers.addObject().put("name", c.name()).put("requestMilliCpu", c.requestMilliCpu())
                        .put("restartableInit", c.restartableInit());
            }
        }
        ArrayNode metrics = out.putArray("podMetrics");
        for (PodMetrics m : s.podMetrics()) {
            ObjectNode item = metrics.addObject().put("pod", m.pod()).put("timestamp", time(m.timestamp()))
                    .put("windowSeconds", m.windowSeconds());
            ArrayNode containers = item.putArray("containers");
            for (PodMetrics.Usage u : m.containers()) {
                containers.addObject().put("name", u.name()).put("usageMilliCpu", u.usageMilliCpu());
            }
        }
        if (s.metricsError() != null) {
            out.put("metricsError", s.metricsError());
        }
        if (s.history() == null) {
            out.putNull("history");
        } else {
            write(out.putObject("history"), s.history());
        }
        return out;
    }

    private static String time(Instant time) {
        return time == null ? null : Fields.formatTime(time);
    }

    /** The decision as one JSON object, fields in the contract's order. */
    public static ObjectNode write(Decision d) {
        ObjectNode out = MAPPER.createObjectNode();
        out.putObject("target").put("namespace", d.target().namespace()).put("name", d.target().name());
        out.put("currentReplicas", d.currentReplicas());
        out.put("desiredReplicas", d.desiredReplicas());
        out.put("recommendedReplicas", d.recommendedReplicas());
        out.put("utilizationPercent", d.utilizationPercent());
        out.put("rawAverageMilliCpu", d.rawAverageMilliCpu());
        out.put("readyPods", d.readyPods());
        strings(out.putArray("unreadyPods"), d.unreadyPods());
        strings(out.putArray("missingPods"), d.missingPods());
        strings(out.putArray("ignoredPods"), d.ignoredPods());
        ArrayNode conditions = out.putArray("conditions");
        for (Condition c : d.conditions()) {
            conditions.addObject().put("type", c.type()).put("status", c.status()).put("reason", c.reason())
                    .put("message", c.message());
        }
        out.put("reason", d.reason());
        out.put("error", d.error());
        write(out.putObject("history"), d.history());
        return out;
    }

    private static void write(ObjectNode out, History history) {
        entries(out.putArray("recommendations"), history.recommendations());
        entries(out.putArray("scaleUpEvents"), history.scaleUpEvents());
        entries(out.putArray("scaleDownEvents"), history.scaleDownEvents());
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }

    private static void entries(ArrayNode array, List<History.Entry> entries) {
        for (History.Entry e : entries) {
            array.addObject().put("time", Fields.formatTime(e.time())).put("replicas", e.replicas());
        }
    }
}
