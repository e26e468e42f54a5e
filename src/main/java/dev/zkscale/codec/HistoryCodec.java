package dev.zkscale.codec;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.zkscale.core.ForecastState;
import dev.zkscale.core.History;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Reads and writes a target's decision {@link History} in the JSON shape of a snapshot's {@code history} (CONTRACT
 * section 5): in snapshots and decisions, and on its own where the leader keeps it for the next leader. Every reading
 * error names the field's path; nothing here throws anything else for any JSON input.
 */
public final class HistoryCodec {
    private static final Set<String> HISTORY_FIELDS =
            Set.of("recommendations", "scaleUpEvents", "scaleDownEvents", "forecast");
    private static final Set<String> FORECAST_FIELDS =
            Set.of("time", "models", "checked", "pending", "floor", "coverage", "hpaProposals", "ledger");
    private static final Set<String> ENTRY_FIELDS = Set.of("time", "replicas");
    private static final Set<String> LEDGER_FIELDS = Set.of("cost", "hpaCost", "overTarget", "hpaOverTarget", "trust");

    /** A compressed history inflates to at most this (a history is kilobytes; this refuses a zip bomb). */
    private static final int MAX_JSON_BYTES = 4 << 20;

    private HistoryCodec() {}

    /** The history as one line of UTF-8 JSON. */
    public static byte[] toBytes(History history) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
        try (JsonGenerator out = SnapshotCodec.MAPPER.getFactory().createGenerator(bytes)) {
            write(out, history);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot happen: writing to memory failed", e);
        }
        return bytes.toByteArray();
    }

    /** Reads what {@link #toBytes} wrote, strictly ({@link StrictJson}). */
    public static History fromBytes(byte[] data) throws InvalidInputException {
        return Fields.read(StrictJson.parse(StrictJson.decode(data), "history"), "history", HistoryCodec::read);
    }

    /** The history as stored: its JSON, zlib-compressed. */
    public static byte[] compress(History history) {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        try {
            deflater.setInput(toBytes(history));
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(256);
            byte[] buffer = new byte[1024];
            while (!deflater.finished()) {
                out.write(buffer, 0, deflater.deflate(buffer));
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    /** A stored history: zlib-compressed JSON, or plain JSON (a JSON object starts with a brace, zlib never does). */
    public static History decompress(byte[] data) throws InvalidInputException {
        if (data.length > 0 && data[0] == '{') {
            return fromBytes(data);
        }
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(data);
            ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
            byte[] buffer = new byte[4096];
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new InvalidInputException("neither JSON nor complete zlib-compressed JSON");
                }
                out.write(buffer, 0, n);
                if (out.size() > MAX_JSON_BYTES) {
                    throw new InvalidInputException("inflates to more than " + MAX_JSON_BYTES + " bytes");
                }
            }
            return fromBytes(out.toByteArray());
        } catch (DataFormatException e) {
            throw new InvalidInputException("neither JSON nor zlib-compressed JSON: " + e.getMessage());
        } finally {
            inflater.end();
        }
    }

    /** Reads a history object. */
    static History read(Fields f) throws InvalidInputException {
        f.only(HISTORY_FIELDS);
        return new History(
                entries(f, "recommendations"),
                entries(f, "scaleUpEvents"),
                entries(f, "scaleDownEvents"),
                forecast(f.object("forecast")));
    }

    /** A time field that must be present. */
    static Instant requiredTime(Fields f, String name) throws InvalidInputException {
        Instant time = f.time(name);
        if (time == null) {
            throw new InvalidInputException(f.at(name) + ": required");
        }
        return time;
    }

    private static ForecastState forecast(Fields f) throws InvalidInputException {
        if (f == null) {
            return null;
        }
        f.only(FORECAST_FIELDS);
        List<ForecastState.Model> models = new ArrayList<>();
        for (Fields m : f.objects("models")) {
            m.only(Set.of("level", "trend", "errorVariance", "recentVariance"));
            models.add(new ForecastState.Model(
                    real(m, "level"),
                    real(m, "trend"),
                    m.has("errorVariance") ? real(m, "errorVariance") : Double.NaN,
                    m.has("recentVariance") ? real(m, "recentVariance") : Double.NaN));
        }
        List<ForecastState.Pending> pending = new ArrayList<>();
        for (Fields p : f.objects("pending")) {
            p.only(Set.of("due", "demands"));
            JsonNode demands = p.raw("demands");
            if (demands == null || !demands.isArray()) {
                throw new InvalidInputException(p.at("demands") + ": must be an array of numbers");
            }
            List<Double> values = new ArrayList<>();
            for (JsonNode d : demands) {
                if (!d.isNumber()) {
                    throw new InvalidInputException(p.at("demands") + ": must be an array of numbers");
                }
                values.add(d.doubleValue());
            }
            pending.add(new ForecastState.Pending(requiredTime(p, "due"), values));
        }
        Fields floor = f.object("floor");
        if (floor != null) {
            floor.only(Set.of("replicas", "until"));
        }
        Fields ledger = f.object("ledger");
        if (ledger != null) {
            ledger.only(LEDGER_FIELDS);
        }
        return new ForecastState(
                requiredTime(f, "time"),
                models,
                (int) f.integer("checked", 0L, 0, Integer.MAX_VALUE),
                pending,
                floor == null
                        ? null
                        : new ForecastState.Floor(
                                (int) floor.integer("replicas", null, 0, Integer.MAX_VALUE),
                                requiredTime(floor, "until")),
                f.has("coverage") ? real(f, "coverage") : Double.NaN,
                entries(f, "hpaProposals"),
                ledger == null
                        ? null
                        : new ForecastState.Ledger(
                                real(ledger, "cost"),
                                real(ledger, "hpaCost"),
                                real(ledger, "overTarget"),
                                real(ledger, "hpaOverTarget"),
                                real(ledger, "trust")));
    }

    /** A required number, as the double it was written from. */
    private static double real(Fields f, String name) throws InvalidInputException {
        JsonNode value = f.raw(name);
        if (value == null || !value.isNumber()) {
            throw new InvalidInputException(f.at(name) + ": must be a number, got " + Fields.describe(value));
        }
        return value.doubleValue();
    }

    private static List<History.Entry> entries(Fields f, String name) throws InvalidInputException {
        List<History.Entry> entries = new ArrayList<>();
        for (Fields e : f.objects(name)) {
            e.only(ENTRY_FIELDS);
            entries.add(new History.Entry(
                    requiredTime(e, "time"), (int) e.integer("replicas", null, 0, Integer.MAX_VALUE)));
        }
        return entries;
    }

    /** Writes the history as one JSON object (the value of a {@code history} field). */
    static void write(JsonGenerator out, History history) throws IOException {
        out.writeStartObject();
        entries(out, "recommendations", history.recommendations());
        entries(out, "scaleUpEvents", history.scaleUpEvents());
        entries(out, "scaleDownEvents", history.scaleDownEvents());
        ForecastState forecast = history.forecast();
        if (forecast != null) {
            out.writeObjectFieldStart("forecast");
            Rfc3339.write(out, "time", forecast.time());
            out.writeArrayFieldStart("models");
            for (ForecastState.Model m : forecast.models()) {
                out.writeStartObject();
                out.writeNumberField("level", m.level());
                out.writeNumberField("trend", m.trend());
                if (!Double.isNaN(m.errorVariance())) {
                    out.writeNumberField("errorVariance", m.errorVariance());
                }
                if (!Double.isNaN(m.recentVariance())) {
                    out.writeNumberField("recentVariance", m.recentVariance());
                }
                out.writeEndObject();
            }
            out.writeEndArray();
            out.writeNumberField("checked", forecast.checked());
            out.writeArrayFieldStart("pending");
            for (ForecastState.Pending p : forecast.pending()) {
                out.writeStartObject();
                Rfc3339.write(out, "due", p.due());
                out.writeArrayFieldStart("demands");
                for (double d : p.demands()) {
                    out.writeNumber(d);
                }
                out.writeEndArray();
                out.writeEndObject();
            }
            out.writeEndArray();
            if (forecast.floor() != null) {
                out.writeObjectFieldStart("floor");
                out.writeNumberField("replicas", forecast.floor().replicas());
                Rfc3339.write(out, "until", forecast.floor().until());
                out.writeEndObject();
            }
            if (!Double.isNaN(forecast.coverage())) {
                out.writeNumberField("coverage", forecast.coverage());
            }
            entries(out, "hpaProposals", forecast.hpaProposals());
            ForecastState.Ledger ledger = forecast.ledger();
            if (ledger != null) {
                out.writeObjectFieldStart("ledger");
                out.writeNumberField("cost", ledger.cost());
                out.writeNumberField("hpaCost", ledger.hpaCost());
                out.writeNumberField("overTarget", ledger.overTarget());
                out.writeNumberField("hpaOverTarget", ledger.hpaOverTarget());
                out.writeNumberField("trust", ledger.trust());
                out.writeEndObject();
            }
            out.writeEndObject();
        }
        out.writeEndObject();
    }

    private static void entries(JsonGenerator out, String name, List<History.Entry> entries) throws IOException {
        out.writeArrayFieldStart(name);
        for (History.Entry e : entries) {
            out.writeStartObject();
            Rfc3339.write(out, "time", e.time());
            out.writeNumberField("replicas", e.replicas());
            out.writeEndObject();
        }
        out.writeEndArray();
    }
}
