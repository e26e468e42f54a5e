package dev.zkscale.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * The top entries of a JFR recording within a time window, what {@code jfr view hot-methods} prints on newer JDKs:
 * execution samples by thread, by top frame (self) and by any frame (inclusive, each method once per stack);
 * allocation samples by class and by the first frame of ours ({@code dev.zkscale}); garbage collections and JIT
 * compilations. Used by {@link PassBench}'s {@code --process-jfr}; also by hand:
 *
 * <pre>
 * java -cp target/test-classes dev.zkscale.bench.JfrTop FILE [FROM TO]   (instants, ISO-8601)
 * </pre>
 */
final class JfrTop {
    private static final int TOP = 25;
    private static final String OURS = "dev.zkscale.";

    private JfrTop() {}

    public static void main(String[] args) throws IOException {
        Instant from = args.length > 2 ? Instant.parse(args[1]) : Instant.MIN;
        Instant to = args.length > 2 ? Instant.parse(args[2]) : Instant.MAX;
        print(Path.of(args[0]), from, to, System.out);
    }

    /** Prints the top entries of the events of {@code file} that start within [from, to]. */
    static void print(Path file, Instant from, Instant to, PrintStream out) throws IOException {
        Map<String, Long> threads = new HashMap<>();
        Map<String, Long> self = new HashMap<>();
        Map<String, Long> inclusive = new HashMap<>();
        Map<String, Long> allocatedByClass = new HashMap<>();
        Map<String, Long> allocatedBySite = new HashMap<>();
        long samples = 0;
        long allocated = 0;
        long collections = 0;
        Duration pauses = Duration.ZERO;
        Duration longestPause = Duration.ZERO;
        Duration compiling = Duration.ZERO;
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            if (e.getStartTime().isBefore(from) || e.getStartTime().isAfter(to)) {
                continue;
            }
            switch (e.getEventType().getName()) {
                case "jdk.ExecutionSample" -> {
                    samples++;
                    threads.merge(threadName(e), 1L, Long::sum);
                    List<RecordedFrame> frames = frames(e.getStackTrace());
                    if (!frames.isEmpty()) {
                        self.merge(name(frames.get(0)), 1L, Long::sum);
                    }
                    Set<String> seen = new HashSet<>();
                    for (RecordedFrame f : frames) {
                        if (seen.add(name(f))) {
                            inclusive.merge(name(f), 1L, Long::sum);
                        }
                    }
                }
                case "jdk.ObjectAllocationSample" -> {
                    long weight = e.getLong("weight");
                    allocated += weight;
                    allocatedByClass.merge(e.getClass("objectClass").getName(), weight, Long::sum);
                    allocatedBySite.merge(ourSite(frames(e.getStackTrace())), weight, Long::sum);
                }
                case "jdk.GarbageCollection" -> {
                    collections++;
                    pauses = pauses.plus(e.getDuration("sumOfPauses"));
                    if (e.getDuration("longestPause").compareTo(longestPause) > 0) {
                        longestPause = e.getDuration("longestPause");
                    }
                }
                case "jdk.Compilation" -> compiling = compiling.plus(e.getDuration());
                default -> {}
            }
        }
        out.printf(
                "JFR %s, %s to %s: %d execution samples; %d collections, %d ms paused (longest %d ms); "
                        + "compilations took %d ms (wall); %.1f MiB allocated (sampled estimate)%n",
                file,
                from,
                to,
                samples,
                collections,
                pauses.toMillis(),
                longestPause.toMillis(),
                compiling.toMillis(),
                allocated / 1048576.0);
        top(out, "execution samples by thread", threads, samples, "%");
        top(out, "execution samples by top frame (self)", self, samples, "%");
        top(out, "execution samples by frame (inclusive)", inclusive, samples, "%");
        top(out, "allocation by class (MiB)", allocatedByClass, allocated, "MiB");
        top(out, "allocation by first frame of " + OURS + " (MiB)", allocatedBySite, allocated, "MiB");
    }

    private static List<RecordedFrame> frames(RecordedStackTrace stack) {
        return stack == null ? List.of() : stack.getFrames();
    }

    private static String threadName(RecordedEvent e) {
        String name = e.getThread("sampledThread") == null
                ? "?"
                : e.getThread("sampledThread").getJavaName();
        return name == null ? "?" : name.replaceAll("\\d+", "N");
    }

    private static String name(RecordedFrame f) {
        RecordedMethod m = f.getMethod();
        return m.getType().getName() + "." + m.getName();
    }

    private static String ourSite(List<RecordedFrame> frames) {
        for (RecordedFrame f : frames) {
            if (name(f).startsWith(OURS)) {
                return name(f) + ":" + f.getLineNumber();
            }
        }
        return frames.isEmpty() ? "?" : "(not ours) " + name(frames.get(0));
    }

    private static void top(PrintStream out, String title, Map<String, Long> counts, long total, String unit) {
        out.println("  " + title + ":");
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(TOP)
                .forEach(e -> out.printf(
                        "    %6.1f%%  %s%s%n",
                        100.0 * e.getValue() / Math.max(total, 1),
                        unit.equals("MiB") ? String.format("%8.1f MiB  ", e.getValue() / 1048576.0) : "",
                        e.getKey()));
    }
}
