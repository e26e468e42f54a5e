package dev.zkscale.monitor;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.zkscale.codec.SnapshotCodec;
import dev.zkscale.core.Decision;
import dev.zkscale.core.Snapshot;
import dev.zkscale.core.TargetRef;
import dev.zkscale.loop.DecisionLog;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The last decisions of each target with the snapshots they were made from, so that any of them can be replayed
 * with {@code zkscale explain}. Each entry is kept as it is served, the JSON object {@code {"snapshot": ...,
 * "decision": ..., "write": ...}}, Deflate-compressed with the first entry's JSON as preset dictionary: a decision over
 * 10 pods takes about 330 bytes instead of about 3 KiB of Java objects, and what is served is exactly what was
 * recorded.
 *
 * <p>Bounded twice: at most {@code depth} entries per target, and at most {@code maxBytes} compressed bytes over all
 * targets, beyond which the oldest entries of the target that holds the most bytes go first. The latest decision of
 * each target is always kept, even beyond {@code maxBytes}. A target that stops being managed is dropped.
 *
 * <p>Written by the loop, read concurrently by the HTTP API: every method may be called from any thread.
 */
public final class DecisionRecord implements DecisionLog {
    private final int depth;
    private final long maxBytes;
    private final Deflater deflater = new Deflater(Deflater.BEST_SPEED);
    /** Where {@link #pack} writes an entry's JSON before compressing it; reused, as {@link #add} is synchronized. */
    private final ByteArrayOutputStream text = new ByteArrayOutputStream(8192);
    /** The first entry's JSON: the preset dictionary of every entry's compression (they share most of their text). */
    private byte[] dictionary;

    private final Map<TargetRef, Target> targets = new HashMap<>();
    private long bytes;

    /** One decision and what it was made from, plus what became of its write ({@code null} when none was made). */
    public record Entry(Snapshot snapshot, Decision decision, String write) {}

    /** One target's entries, oldest first, and the newest as objects (for the target list and the demo). */
    private static final class Target {
        final Deque<byte[]> entries = new ArrayDeque<>();
        long bytes;
        Entry latest;
    }

    /**
     * @param depth entries kept per target, at least 1
     * @param maxBytes compressed bytes kept over all targets, at least 0 (0 keeps only each target's latest decision)
     */
    public DecisionRecord(int depth, long maxBytes) {
        this.depth = depth;
        this.maxBytes = maxBytes;
    }

    @Override
    public void add(Snapshot snapshot, Decision decision, String write) {
        add(new Entry(snapshot, decision, write));
    }

    synchronized void add(Entry entry) {
        byte[] packed = pack(entry);
        Target target = targets.computeIfAbsent(entry.snapshot().target(), t -> new Target());
        target.latest = entry;
        target.entries.addLast(packed);
        target.bytes += packed.length;
        bytes += packed.length;
        if (target.entries.size() > depth) {
            dropOldest(target);
        }
        while (bytes > maxBytes) {
            Target largest = null;
            for (Target t : targets.values()) {
                if (t.entries.size() > 1 && (largest == null || t.bytes > largest.bytes)) {
                    largest = t;
                }
            }
            if (largest == null) {
                return;
            }
            dropOldest(largest);
        }
    }

    private void dropOldest(Target target) {
        int length = target.entries.removeFirst().length;
        target.bytes -= length;
        bytes -= length;
    }

    @Override
    public synchronized void retain(Set<TargetRef> managed) {
        targets.entrySet().removeIf(e -> {
            boolean drop = !managed.contains(e.getKey());
            if (drop) {
                bytes -= e.getValue().bytes;
            }
            return drop;
        });
    }

    /** The targets with at least one recorded decision, sorted. */
    public synchronized Set<TargetRef> targets() {
        Set<TargetRef> sorted = new TreeSet<>((a, b) -> a.toString().compareTo(b.toString()));
        sorted.addAll(targets.keySet());
        return sorted;
    }

    /** The target's newest decision; empty when it has none. */
    public synchronized Optional<Entry> latest(TargetRef target) {
        Target t = targets.get(target);
        return t == null ? Optional.empty() : Optional.of(t.latest);
    }

    /** How many decisions of the target are recorded. */
    public synchronized int recorded(TargetRef target) {
        Target t = targets.get(target);
        return t == null ? 0 : t.entries.size();
    }

    /** The compressed bytes held over all targets. */
    public synchronized long bytes() {
        return bytes;
    }

    /** The target's recorded decisions as served, oldest first: {@code snapshot}, {@code decision}, {@code write}. */
    public List<JsonNode> decisions(TargetRef target) {
        List<byte[]> packed;
        byte[] dict;
        synchronized (this) {
            Target t = targets.get(target);
            packed = t == null ? List.of() : new ArrayList<>(t.entries);
            dict = dictionary;
        }
        return packed.stream().map(p -> unpack(p, dict)).toList();
    }

    private byte[] pack(Entry entry) {
        text.reset();
        try (JsonGenerator out = SnapshotCodec.MAPPER.getFactory().createGenerator(text)) {
            out.writeStartObject();
            out.writeFieldName("snapshot");
            SnapshotCodec.write(out, entry.snapshot());
            out.writeFieldName("decision");
            SnapshotCodec.write(out, entry.decision());
            out.writeStringField("write", entry.write());
            out.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot happen: writing to memory failed", e);
        }
        byte[] json = text.toByteArray();
        if (dictionary == null) {
            dictionary = json;
        }
        deflater.reset();
        deflater.setDictionary(dictionary);
        deflater.setInput(json);
        deflater.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream(json.length / 4);
        byte[] buffer = new byte[4096];
        while (!deflater.finished()) {
            out.write(buffer, 0, deflater.deflate(buffer));
        }
        return out.toByteArray();
    }

    private static JsonNode unpack(byte[] packed, byte[] dictionary) {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(packed);
            ByteArrayOutputStream out = new ByteArrayOutputStream(packed.length * 8);
            byte[] buffer = new byte[4096];
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0 && inflater.needsDictionary()) {
                    inflater.setDictionary(dictionary);
                } else if (n == 0 && inflater.needsInput()) {
                    throw new IllegalStateException("cannot happen: a recorded decision is truncated");
                }
                out.write(buffer, 0, n);
            }
            return SnapshotCodec.MAPPER.readTree(out.toByteArray());
        } catch (DataFormatException | IOException e) {
            throw new IllegalStateException("cannot happen: a recorded decision does not read back", e);
        } finally {
            inflater.end();
        }
    }
}
