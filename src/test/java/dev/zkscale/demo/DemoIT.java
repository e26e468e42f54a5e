package dev.zkscale.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/zkscale demo} as a newcomer runs it, on the packaged jar (runs after {@code package}): the story, read
 * from what it prints, and its exit.
 */
class DemoIT {
    private static final Pattern PASS = Pattern.compile("^(\\d\\d:\\d\\d)  load (\\S+)  cpu +(\\S+)/(\\d+)%  "
            + "pods +(\\d+)/(\\d+) +-> (\\S+) +leader (\\S+)  epoch (\\S+)(.*)$");
    private static final Pattern WRITE = Pattern.compile("^(\\d\\d:\\d\\d)  write  (\\S+) epoch (\\d+): "
            + "replicas (\\d+) -> (\\d+), (accepted|refused) \\(HTTP (\\d+)\\)$");
    private static final Pattern CRASH = Pattern.compile("^(\\d\\d:\\d\\d)  crash  (\\S+), the leader, crashes");
    private static final Pattern METRICS = Pattern.compile("^  metrics +(http://\\S+)$");
    private static final Pattern DATA_DIR = Pattern.compile("data in (\\S+), removed at exit");

    private record Pass(String time, double load, int ready, int current, String leader, long epoch) {}

    private record Write(String time, String writer, long epoch, int from, int to, boolean accepted) {}

    /** A running demo whose standard output is collected line by line as it comes. */
    private static final class Run {
        final Process process;
        final List<String> lines = new CopyOnWriteArrayList<>();
        final StringBuffer err = new StringBuffer();
        final Thread reader;
        final Thread errReader;

        Run(String... args) throws Exception {
            List<String> command = new ArrayList<>(List.of("bin/zkscale", "demo"));
            command.addAll(List.of(args));
            process = new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.PIPE)
                    .start();
            process.getOutputStream().close();
            reader = new Thread(() -> {
                try (BufferedReader in =
                        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        lines.add(line);
                    }
                } catch (Exception e) {
                    // the process ended
                }
            });
            reader.start();
            errReader = new Thread(() -> {
                try {
                    err.append(new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
                } catch (Exception e) {
                    // the process ended
                }
            });
            errReader.start();
        }

        String await(Pattern pattern, long seconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < deadline) {
                for (String line : lines) {
                    Matcher m = pattern.matcher(line);
                    if (m.find()) {
                        return m.groupCount() > 0 ? m.group(1) : line;
                    }
                }
                Thread.sleep(100);
            }
            throw new AssertionError(
                    "no line matching " + pattern + " within " + seconds + " s:\n" + String.join("\n", lines));
        }

        int exit(long seconds) throws Exception {
            assertTrue(
                    process.waitFor(seconds, TimeUnit.SECONDS), "the demo did not exit:\n" + String.join("\n", lines));
            reader.join(5000);
            errReader.join(5000);
            return process.exitValue();
        }

        String err() {
            return err.toString();
        }

        /** SIGTERM, as Ctrl-C's SIGINT would do (Process.destroy would also close our end of its output). */
        void terminate() {
            process.toHandle().destroy();
        }
    }

    @Test
    @DisplayName("the story: replicas rise in the spike and fall after, leadership moves to a greater epoch, every "
            + "write is the leader's, metrics are served, exit 0")
    void story() throws Exception {
        Run run = new Run("--duration", "30s", "--port", "0");
        try {
            // While it runs: /q/metrics answers with both controllers' series.
            String metricsUrl = run.await(METRICS, 90);
            run.await(PASS, 90);
            String metrics = HttpClient.newHttpClient()
                    .send(HttpRequest.newBuilder(URI.create(metricsUrl)).build(), HttpResponse.BodyHandlers.ofString())
                    .body();
            assertTrue(
                    metrics.contains("zkscale_leader{controller=\"a\",} 1.0")
                            || metrics.contains("zkscale_leader{controller=\"b\",} 1.0"),
                    metrics);
            assertTrue(metrics.contains("zkscale_zookeeper_connected{controller=\"b\",}"), metrics);
            assertTrue(
                    metrics.contains("zkscale_target_desired_replicas{controller=\"a\",namespace=\"shop\","
                            + "target=\"web\",}"),
                    metrics);

            assertEquals(0, run.exit(150), String.join("\n", run.lines) + "\n" + run.err());
        } finally {
            run.process.destroyForcibly();
        }
        String out = String.join("\n", run.lines);
        assertEquals("", run.err(), out);

        List<Pass> passes = new ArrayList<>();
        List<Write> writes = new ArrayList<>();
        String crashed = null;
        String crashTime = null;
        for (String line : run.lines) {
            Matcher p = PASS.matcher(line);
            Matcher w = WRITE.matcher(line);
            Matcher c = CRASH.matcher(line);
            if (p.matches()) {
                passes.add(new Pass(
                        p.group(1),
                        Double.parseDouble(p.group(2)),
                        Integer.parseInt(p.group(5)),
                        Integer.parseInt(p.group(6)),
                        p.group(8),
                        p.group(9).equals("-") ? -1 : Long.parseLong(p.group(9))));
            } else if (w.matches()) {
                writes.add(new Write(
                        w.group(1),
                        w.group(2),
                        Long.parseLong(w.group(3)),
                        Integer.parseInt(w.group(4)),
                        Integer.parseInt(w.group(5)),
                        w.group(6).equals("accepted")));
            } else if (c.find()) {
                crashTime = c.group(1);
                crashed = c.group(2);
            }
        }
        assertEquals(Demo.PASSES, passes.size(), out);

        // Replicas rose during the spike (the passes at 90% of the peak load or more) and fell after it.
        double peakLoad = passes.stream().mapToDouble(Pass::load).max().orElseThrow();
        int spikeStart = indexOf(passes, p -> p.load() >= 0.9 * peakLoad, 0);
        int spikeEnd = indexOf(passes, p -> p.load() < 0.9 * peakLoad, spikeStart);
        int before = passes.get(spikeStart).current();
        int peak = passes.subList(spikeStart, Math.min(passes.size(), spikeEnd + 10)).stream()
                .mapToInt(Pass::current)
                .max()
                .orElseThrow();
        int end = passes.get(passes.size() - 1).current();
        assertTrue(peak > before, "replicas did not rise in the spike: " + before + " -> " + peak + "\n" + out);
        assertTrue(end < peak, "replicas did not fall after the spike: " + peak + " -> " + end + "\n" + out);

        // Leadership moved from the instance that crashed to the other one, with a greater epoch.
        assertTrue(crashed != null, out);
        String crashAt = crashTime;
        int crash = indexOf(passes, p -> p.time().equals(crashAt), 0);
        String first = crashed;
        String lastBefore = passes.subList(0, crash).stream()
                .filter(p -> p.epoch() >= 0)
                .reduce((x, y) -> y)
                .orElseThrow()
                .leader();
        assertEquals(first, lastBefore, "the instance that crashed led before the crash\n" + out);
        List<Pass> after = passes.subList(crash, passes.size()).stream()
                .filter(p -> p.epoch() >= 0)
                .toList();
        assertFalse(after.isEmpty(), "nobody led after the crash\n" + out);
        String second = after.get(0).leader();
        assertNotEquals(first, second, out);
        assertTrue(after.stream().allMatch(p -> p.leader().equals(second)), out);
        long firstMax = passes.stream()
                .filter(p -> p.leader().equals(first))
                .mapToLong(Pass::epoch)
                .max()
                .orElseThrow();
        long secondMin = after.stream().mapToLong(Pass::epoch).min().orElseThrow();
        assertTrue(secondMin > firstMax, "epoch " + secondMin + " after epoch " + firstMax + "\n" + out);

        // Epochs never go back, and every write was made by the leader of its pass with that leader's epoch.
        long epoch = 0;
        for (Pass p : passes) {
            assertTrue(p.epoch() < 0 || p.epoch() >= epoch, "epoch went back at " + p.time() + "\n" + out);
            epoch = Math.max(epoch, p.epoch());
        }
        assertTrue(writes.stream().anyMatch(w -> w.accepted() && w.to() > w.from()), out);
        assertTrue(writes.stream().anyMatch(w -> w.accepted() && w.to() < w.from()), out);
        assertTrue(writes.stream().anyMatch(w -> w.accepted() && w.writer().equals(second)), out);
        for (Write w : writes) {
            Pass at = passes.stream()
                    .filter(p -> p.time().equals(w.time()))
                    .findFirst()
                    .orElseThrow();
            assertEquals(
                    at.leader() + "@" + at.epoch(),
                    w.writer() + "@" + w.epoch(),
                    "write at " + w.time() + " not by the leader of its pass\n" + out);
        }
        assertTrue(
                out.contains("  writes            " + writes.size() + " of " + writes.size()
                        + " came from the leader of their time"),
                out);
        assertFalse(out.contains("WARNING"), out);

        // The embedded ZooKeeper's data directory is gone.
        Matcher dir = DATA_DIR.matcher(out);
        assertTrue(dir.find(), out);
        assertFalse(Files.exists(Path.of(dir.group(1))), dir.group(1) + " is still there");
    }

    @Test
    @DisplayName("a signal (Ctrl-C, SIGTERM) ends the story early: summary printed, temporary data removed")
    void signal() throws Exception {
        Run run = new Run("--duration", "10m", "--port", "0");
        try {
            run.await(Pattern.compile("^00:15  load"), 90);
            run.terminate();
            assertEquals(143, run.exit(30), String.join("\n", run.lines) + "\n" + run.err());
        } finally {
            run.process.destroyForcibly();
        }
        String out = String.join("\n", run.lines);
        assertTrue(out.contains("  stop   interrupted: the story ends here"), out);
        assertTrue(out.contains("\nsummary: "), out);
        Matcher dir = DATA_DIR.matcher(out);
        assertTrue(dir.find(), out);
        assertFalse(Files.exists(Path.of(dir.group(1))), dir.group(1) + " is still there");
    }

    private static int indexOf(List<Pass> passes, java.util.function.Predicate<Pass> which, int from) {
        for (int i = from; i < passes.size(); i++) {
            if (which.test(passes.get(i))) {
                return i;
            }
        }
        return passes.size();
    }
}
