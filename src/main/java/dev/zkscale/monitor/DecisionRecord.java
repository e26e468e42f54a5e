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
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.jboss.logging.Logger;

/**
 * The last decisions of each target with the snapshots they were made from, so that any of them can be replayed
 * with {@code zkscale explain}. Each entry is kept as it is served, the JSON object {@code {"snapshot": ...,
 * "decision": ..., "write": ...}}, Deflate-compressed with the first entry's JSON as preset dictionary: a decision over
 * 10 pods takes about 330 bytes instead of about 3 KiB of Java objects, and what is served is exactly what was
 * recorded.
 *
 * <p>Most of an entry repeats the target's previous one: its config and pods are usually unchanged, and its snapshot's
 * history is the history its previous decision left. Those parts (config, pods, histories) are written and compressed
 * apart, once, and an entry that repeats one refers to it: the entry's own compressed JSON leaves a hole where each
 * such part goes, filled in when it is served. A part is counted in {@link #bytes} once, while an entry holds it.
 *
 * <p>Off the pass's critical path: {@link #add} only hands the snapshot and decision to one recorder thread through a
 * queue of {@code queueCapacity} entries, and returns; the recorder encodes and compresses them. When the queue is
 * full the entry is dropped and counted ({@link #dropped()}): the pass never waits for the record. The readers
 * ({@link #recorded}, {@link #bytes}, {@link #serve}, {@link #decisions}) first wait, for at most
 * {@code drainTimeout}, until the recorder has taken in what was added before they were called, so that what a pass
 * added is served right after it.
 *
 * <p>Bounded three times: at most {@code depth} entries per target, at most {@code maxBytes} compressed bytes over all
 * targets (beyond which the oldest entries of the target that holds the most bytes go first), and at most
 * {@code queueCapacity} entries waiting to be encoded. The latest decision of each target is always kept, even beyond
 * {@code maxBytes}. A target that stops being managed is dropped.
 *
 * <p>Every method may be called from any thread; {@link #add} and {@link #retain} come from the loop's.
 */
public final class DecisionRecord implements DecisionLog, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DecisionRecord.class);
    private static final byte[] OPEN = "[".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] COMMA = ",".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CLOSE = "]".getBytes(StandardCharsets.US_ASCII);

    private final int depth;
    private final long maxBytes;
    private final Duration drainTimeout;
    /** One thread that encodes and compresses; it ends when idle and starts again with the next entry. */
    private final ThreadPoolExecutor recorder;
    /** Entries handed to the recorder, queued or dropped ({@link #done} counts those it is done with). */
    private final AtomicLong handed = new AtomicLong();

    private final AtomicLong dropped = new AtomicLong();
    /**
     * The newest decision of each target, as objects (for the target list and the demo); set on the loop's thread. The
     * recorder skips a queued entry whose target is no longer here: {@link #retain} dropped it after the entry came.
     */
    private final Map<TargetRef, Entry> latest = new ConcurrentHashMap<>();

    // Recorder thread only.
    private final Deflater deflater = new Deflater(Deflater.BEST_SPEED);
    private final Text text = new Text();
    /** Where an entry is compressed to before it is copied at its size: one buffer for all, grown as needed. */
    private byte[] packed = new byte[8192];
    /** The parts of each target's last entry, with their values: the next entry refers to those it repeats. */
    private final Map<TargetRef, List<Written>> lastParts = new ConcurrentHashMap<>();
    /** The entry being packed: the parts it holds with their values, and where they go in its own JSON. */
    private final List<Written> entryParts = new ArrayList<>();

    private final List<Part> holes = new ArrayList<>();
    private final List<Integer> holeOffsets = new ArrayList<>();
    private final Text partText = new Text();
    /**
     * The first entry's own JSON (without its parts): the preset dictionary of every entry's own compression (they
     * share most of their text). Parts are compressed without one: a dictionary costs about as much to set as
     * compressing the few KiB of a part, and a part is compressed once for the many entries that hold it.
     */
    private volatile byte[] dictionary;

    // Guarded by this.
    private final Map<TargetRef, Target> targets = new HashMap<>();
    /** The targets by the bytes they hold, then by when they came: the largest is evicted from first. */
    private final NavigableSet<Target> bySize =
            new TreeSet<>(Comparator.comparingLong((Target t) -> t.bytes).thenComparingLong(t -> t.order));

    private long targetsSeen;
    private long bytes;
    /** Entries recorded, skipped or dropped: the readers wait for it to reach {@link #handed}. */
    private long done;

    /** One decision and what it was made from, plus what became of its write ({@code null} when none was made). */
    public record Entry(Snapshot snapshot, Decision decision, String write) {}

    /**
     * One recorded entry: its own compressed JSON, with {@code parts[i]} to be inserted at offset {@code at[i]} of it
     * (offsets in the uncompressed JSON, in order), and the length of the whole entry's JSON.
     */
    private record Packed(byte[] data, int length, int[] at, Part[] parts) {}

    /**
     * A part of entries (a config, a pod list or a history), compressed on its own, without dictionary, and shared by
     * the entries of one target that repeat it.
     */
    private static final class Part {
        final byte[] data;
        final int length;
        /** How many of the kept entries hold it (guarded by the record). */
        int holders;

        Part(byte[] data, int length) {
            this.data = data;
            this.length = length;
        }
    }

    /** A part and the value it was written from. */
    private record Written(Object value, Part part) {
        /** The part written from a value equal to {@code value} (mostly the same object), or null. */
        static Part find(List<Written> written, Object value) {
            for (Written w : written) {
                if (w.value == value) {
                    return w.part;
                }
            }
            for (Written w : written) {
                if (w.value.equals(value)) {
                    return w.part;
                }
            }
            return null;
        }
    }

    /** One target's entries, oldest first. */
    private static final class Target {
        final Deque<Packed> entries = new ArrayDeque<>();
        final long order;
        long bytes;

        Target(long order) {
            this.order = order;
        }
    }

    /**
     * @param depth entries kept per target, at least 1
     * @param maxBytes compressed bytes kept over all targets, at least 0 (0 keeps only each target's latest decision)
     * @param queueCapacity entries that may wait for the recorder, at least 1; beyond it new entries are dropped
     * @param drainTimeout how long a reader waits for the recorder to take in what was added before it
     */
    public DecisionRecord(int depth, long maxBytes, int queueCapacity, Duration drainTimeout) {
        this.depth = depth;
        this.maxBytes = maxBytes;
        this.drainTimeout = drainTimeout;
        this.recorder = new ThreadPoolExecutor(
                1,
                1,
                10,
                TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(queueCapacity),
                task -> {
                    Thread t = new Thread(task, "zkscale-decision-record");
                    t.setDaemon(true);
                    return t;
                },
                (task, executor) -> drop());
        recorder.allowCoreThreadTimeOut(true);
    }

    /** A record with room for 10,000 waiting entries, whose readers wait up to 10 s for them. */
    public DecisionRecord(int depth, long maxBytes) {
        this(depth, maxBytes, 10_000, Duration.ofSeconds(10));
    }

    @Override
    public void add(Snapshot snapshot, Decision decision, String write) {
        add(new Entry(snapshot, decision, write));
    }

    void add(Entry entry) {
        latest.put(entry.snapshot().target(), entry);
        handed.incrementAndGet();
        recorder.execute(() -> record(entry));
    }

    private void drop() {
        if (recorder.isShutdown()) {
            // closed: a pass that was still running records nothing more
        } else if (dropped.getAndIncrement() == 0) {
            LOG.warn("decision record: the recorder is behind, decisions are dropped from the record (counted in "
                    + "zkscale_decision_record_dropped_total); raise zkscale.decision-record-queue");
        }
        finished();
    }

    /** On the recorder thread: encodes, compresses and keeps one entry. */
    private void record(Entry entry) {
        try {
            Packed packed = pack(entry);
            TargetRef ref = entry.snapshot().target();
            synchronized (this) {
                if (latest.containsKey(ref)) {
                    keep(ref, packed);
                } else {
                    lastParts.remove(ref);
                }
            }
        } finally {
            finished();
        }
    }

    private synchronized void finished() {
        done++;
        notifyAll();
    }

    private void keep(TargetRef ref, Packed packed) {
        Target target = targets.computeIfAbsent(ref, t -> new Target(targetsSeen++));
        target.entries.addLast(packed);
        long added = packed.data.length;
        for (Part part : packed.parts) {
            if (part.holders++ == 0) {
                added += part.data.length;
            }
        }
        resize(target, added);
        if (target.entries.size() > depth) {
            dropOldest(target);
        }
        while (bytes > maxBytes) {
            Target largest = null;
            for (Iterator<Target> t = bySize.descendingIterator(); largest == null && t.hasNext(); ) {
                Target next = t.next();
                largest = next.entries.size() > 1 ? next : null;
            }
            if (largest == null) {
                return;
            }
            dropOldest(largest);
        }
    }

    private void dropOldest(Target target) {
        Packed oldest = target.entries.removeFirst();
        long freed = oldest.data.length;
        for (Part part : oldest.parts) {
            if (--part.holders == 0) {
                freed += part.data.length;
            }
        }
        resize(target, -freed);
    }

    /** Counts {@code delta} more bytes held by the target, and keeps {@link #bySize} in order. */
    private void resize(Target target, long delta) {
        bySize.remove(target);
        target.bytes += delta;
        bytes += delta;
        bySize.add(target);
    }

    @Override
    public void retain(Set<TargetRef> keep) {
        synchronized (this) {
            latest.keySet().retainAll(keep);
            lastParts.keySet().retainAll(keep);
            targets.entrySet().removeIf(e -> {
                boolean drop = !keep.contains(e.getKey());
                if (drop) {
                    bytes -= e.getValue().bytes;
                    bySize.remove(e.getValue());
                }
                return drop;
            });
        }
    }

    /**
     * Waits until the recorder is done with every entry added before this call, or {@code drainTimeout} passed, or the
     * thread is interrupted (its flag restored). Holds the lock: call at the start of a synchronized reader.
     */
    private void drain() {
        long until = handed.get();
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        try {
            while (done < until && !recorder.isShutdown()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The targets with at least one decision, sorted. */
    public Set<TargetRef> targets() {
        Set<TargetRef> sorted = new TreeSet<>((a, b) -> a.toString().compareTo(b.toString()));
        sorted.addAll(latest.keySet());
        return sorted;
    }

    /** The target's newest decision; empty when it has none. */
    public Optional<Entry> latest(TargetRef target) {
        return Optional.ofNullable(latest.get(target));
    }

    /** How many decisions of the target are recorded. */
    public synchronized int recorded(TargetRef target) {
        drain();
        Target t = targets.get(target);
        return t == null ? 0 : t.entries.size();
    }

    /** The compressed bytes held over all targets. */
    public synchronized long bytes() {
        drain();
        return bytes;
    }

    /** Decisions dropped because the recorder was behind by more than the queue holds. */
    public long dropped() {
        return dropped.get();
    }

    /**
     * What a request for the target's record is served: its newest {@code limit} decisions, fewer when they would take
     * more than {@code maxBytes} of JSON (the newest that fit are kept), as one JSON array of {@code {"snapshot": ...,
     * "decision": ..., "write": ...}}, oldest first. Chosen at once; written later, entry by entry.
     *
     * @param limit at most this many of the newest decisions, at least 1
     * @param maxBytes at most this many bytes of JSON, the array's brackets and commas included
     */
    public Served serve(TargetRef target, int limit, long maxBytes) {
        List<Packed> chosen = new ArrayList<>();
        int recorded;
        synchronized (this) {
            drain();
            Target t = targets.get(target);
            recorded = t == null ? 0 : t.entries.size();
            long length = OPEN.length + CLOSE.length;
            if (t != null) {
                for (Iterator<Packed> newest = t.entries.descendingIterator();
                        newest.hasNext() && chosen.size() < limit; ) {
                    Packed p = newest.next();
                    long more = p.length + (chosen.isEmpty() ? 0 : COMMA.length);
                    if (length + more > maxBytes) {
                        break;
                    }
                    chosen.add(p);
                    length += more;
                }
            }
        }
        Collections.reverse(chosen);
        return new Served(chosen, recorded, Math.min(limit, recorded) - chosen.size(), dictionary);
    }

    /**
     * A chosen part of one target's record, ready to be written.
     *
     * @param recorded how many decisions of the target are recorded
     * @param truncated how many of the requested decisions were left out to stay within the byte limit (the oldest)
     */
    public static final class Served {
        private final List<Packed> entries;
        private final int recorded;
        private final int truncated;
        private final byte[] dictionary;

        private Served(List<Packed> entries, int recorded, int truncated, byte[] dictionary) {
            this.entries = entries;
            this.recorded = recorded;
            this.truncated = truncated;
            this.dictionary = dictionary;
        }

        public int recorded() {
            return recorded;
        }

        /** How many decisions are written. */
        public int size() {
            return entries.size();
        }

        public int truncated() {
            return truncated;
        }

        /** The bytes {@link #writeTo} writes. */
        public long length() {
            long length = OPEN.length + CLOSE.length + Math.max(0, entries.size() - 1) * (long) COMMA.length;
            for (Packed p : entries) {
                length += p.length;
            }
            return length;
        }

        /**
         * Writes the JSON array, decompressing one entry at a time straight into {@code out}, each part where its entry
         * leaves room for it.
         */
        public void writeTo(OutputStream out) throws IOException {
            out.write(OPEN);
            Inflater inflater = new Inflater();
            Inflater parts = new Inflater();
            try {
                byte[] buffer = new byte[8192];
                for (int i = 0; i < entries.size(); i++) {
                    if (i > 0) {
                        out.write(COMMA);
                    }
                    Packed p = entries.get(i);
                    inflater.reset();
                    inflater.setInput(p.data);
                    int at = 0;
                    for (int j = 0; j < p.parts.length; j++) {
                        inflate(inflater, p.at[j] - at, buffer, out);
                        at = p.at[j];
                        parts.reset();
                        parts.setInput(p.parts[j].data);
                        inflate(parts, p.parts[j].length, buffer, out);
                    }
                    inflate(inflater, Integer.MAX_VALUE, buffer, out);
                }
            } finally {
                inflater.end();
                parts.end();
            }
            out.write(CLOSE);
        }

        /** Writes the next {@code length} bytes the inflater gives, or all it gives until its stream ends. */
        private void inflate(Inflater inflater, int length, byte[] buffer, OutputStream out) throws IOException {
            try {
                for (int left = length; left > 0 && !inflater.finished(); ) {
                    int n = inflater.inflate(buffer, 0, Math.min(buffer.length, left));
                    if (n == 0 && inflater.needsDictionary()) {
                        inflater.setDictionary(dictionary);
                    } else if (n == 0 && inflater.needsInput()) {
                        throw new IllegalStateException("cannot happen: a recorded decision is truncated");
                    }
                    out.write(buffer, 0, n);
                    left -= n;
                }
            } catch (DataFormatException e) {
                throw new IllegalStateException("cannot happen: a recorded decision does not read back", e);
            }
        }
    }

    /** The target's whole record as served, as JSON trees, oldest first: for tests and small targets. */
    public List<JsonNode> decisions(TargetRef target) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            serve(target, Integer.MAX_VALUE, Long.MAX_VALUE).writeTo(out);
            List<JsonNode> entries = new ArrayList<>();
            SnapshotCodec.MAPPER.readTree(out.toByteArray()).forEach(entries::add);
            return entries;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot happen: the record does not read back", e);
        }
    }

    private Packed pack(Entry entry) {
        TargetRef ref = entry.snapshot().target();
        List<Written> last = lastParts.getOrDefault(ref, List.of());
        entryParts.clear();
        holes.clear();
        holeOffsets.clear();
        SnapshotCodec.Parts parts = (out, value, writer) -> {
            Part part = Written.find(entryParts, value);
            if (part == null) {
                part = Written.find(last, value);
            }
            if (part == null) {
                partText.reset();
                try (JsonGenerator json = SnapshotCodec.MAPPER.getFactory().createGenerator(partText)) {
                    writer.write(json);
                }
                part = new Part(compress(partText.bytes(), partText.size(), null), partText.size());
            }
            entryParts.add(new Written(value, part));
            // The separator before the value, then the hole the part fills.
            out.writeRawValue("");
            out.flush();
            holes.add(part);
            holeOffsets.add(text.size());
        };
        text.reset();
        try (JsonGenerator out = SnapshotCodec.MAPPER.getFactory().createGenerator(text)) {
            out.writeStartObject();
            out.writeFieldName("snapshot");
            SnapshotCodec.write(out, entry.snapshot(), parts);
            out.writeFieldName("decision");
            SnapshotCodec.write(out, entry.decision(), parts);
            out.writeStringField("write", entry.write());
            out.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot happen: writing to memory failed", e);
        }
        if (dictionary == null) {
            dictionary = text.toByteArray();
        }
        lastParts.put(ref, List.copyOf(entryParts));
        int[] at = holeOffsets.stream().mapToInt(Integer::intValue).toArray();
        int length = text.size() + holes.stream().mapToInt(p -> p.length).sum();
        return new Packed(compress(text.bytes(), text.size(), dictionary), length, at, holes.toArray(Part[]::new));
    }

    /** The first {@code length} bytes of {@code json}, compressed with {@code dictionary} unless it is null. */
    private byte[] compress(byte[] json, int length, byte[] dictionary) {
        deflater.reset();
        if (dictionary != null) {
            deflater.setDictionary(dictionary);
        }
        deflater.setInput(json, 0, length);
        deflater.finish();
        int size = 0;
        while (!deflater.finished()) {
            if (size == packed.length) {
                packed = Arrays.copyOf(packed, packed.length * 2);
            }
            size += deflater.deflate(packed, size, packed.length - size);
        }
        return Arrays.copyOf(packed, size);
    }

    /** The JSON of the entry being packed, compressed straight from its buffer rather than from a copy. */
    private static final class Text extends ByteArrayOutputStream {
        Text() {
            super(8192);
        }

        byte[] bytes() {
            return buf;
        }
    }

    /** Stops the recorder; entries still queued are not recorded. */
    @Override
    public void close() {
        recorder.shutdownNow();
        synchronized (this) {
            notifyAll();
        }
    }
}
