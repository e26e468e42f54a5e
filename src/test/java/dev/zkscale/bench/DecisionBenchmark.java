package dev.zkscale.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zkscale.codec.InvalidInputException;
import dev.zkscale.codec.SnapshotCodec;
import dev.zkscale.core.Decider;
import dev.zkscale.core.Decision;
import dev.zkscale.core.Snapshot;
import java.time.Instant;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * The cost of one decision, outside the test run (it is not a {@code *Test}, so Surefire leaves it alone). Run it with
 * {@code ./mvnw -B -Pbench test-compile exec:exec}; see the {@code bench} profile in the pom for the JMH options.
 *
 * <p>The snapshot is a busy but healthy target, built so that every stage of the decision does real work: {@code pods}
 * pods listed, Running and Ready since days ago, each with an app container and a sidecar (restartable init container),
 * both with CPU requests; a few of them have no PodMetrics (the missing-pods rebalance runs) and a few more are
 * still initializing and not ready (the unready rebalance runs); one PodMetrics item names a pod that is gone. Usage
 * (about 88% of request) is above the 60% target, so the formula proposes a scale-up, which goes through behavior
 * with two policies per direction, stabilization over 20 recorded recommendations, and rate limits over scale events
 * inside their periods. {@link #setUp} checks that the decision takes that path.
 *
 * <p>{@link #decide} measures {@link Decider#decide} alone, on an already-read snapshot. {@link #explainLine} measures
 * what {@code zkscale explain} does per input line: parse the JSON, read the snapshot, decide, build the decision's
 * JSON and serialize it.
 */
public class DecisionBenchmark extends DecisionBenchmarkSettings {
    /**
     * The {@code maxReplicas} ceiling the snapshots are read with. {@code explain} defaults to 1000, which would pin
     * the 1000-pod target at its bound and skip the formula; 10000 is what {@code -Dzkscale.max-replicas-ceiling=10000}
     * gives.
     */
    static final int CEILING = 10_000;

    private static final Instant NOW = Instant.parse("2026-01-01T00:10:00Z");

    @Param({"10", "100", "1000"})
    public int pods;

    /** The snapshot as {@code explain} reads it: one JSON line. */
    private String line;

    /** The same snapshot, already read. */
    private Snapshot snapshot;

    @Setup(Level.Trial)
    public void setUp() throws JsonProcessingException, InvalidInputException {
        line = SnapshotCodec.MAPPER.writeValueAsString(snapshotJson(pods, 42));
        snapshot = SnapshotCodec.read(SnapshotCodec.MAPPER.readTree(line), CEILING);
        // Make sure the benchmark measures the path it claims to: a decision with both rebalances and a rescale.
        Decision d = Decider.decide(snapshot);
        int few = few(pods);
        if (d.error() != null
                || d.recommendedReplicas() == null
                || d.missingPods().size() != few
                || d.unreadyPods().size() != few
                || d.readyPods() != pods - 2 * few
                || !d.rescale()) {
            throw new IllegalStateException("the benchmark snapshot does not take the intended path: " + d);
        }
        System.out.printf(
                "%n[setup] pods=%d: %d bytes of JSON; current %d, recommended %d, desired %d, %d ready, "
                        + "%d missing, %d unready%n",
                pods,
                line.length(),
                d.currentReplicas(),
                d.recommendedReplicas(),
                d.desiredReplicas(),
                d.readyPods(),
                d.missingPods().size(),
                d.unreadyPods().size());
    }

    /** The decision alone. */
    @Benchmark
    public Decision decide() {
        return Decider.decide(snapshot);
    }

    /**
     * One line of {@code zkscale explain}: JSON in, decision JSON out (as {@code ExplainCommand.explain} plus the
     * write).
     */
    @Benchmark
    public String explainLine() throws JsonProcessingException, InvalidInputException {
        Snapshot read = SnapshotCodec.read(SnapshotCodec.MAPPER.readTree(line), CEILING);
        return SnapshotCodec.MAPPER.writeValueAsString(SnapshotCodec.write(Decider.decide(read)));
    }

    /** How many pods are missing metrics, and how many more are unready: at least one, 2% of a large target. */
    static int few(int pods) {
        return Math.max(1, pods / 50);
    }

    /** The benchmark snapshot (an explain input) for {@code pods} pods; the same seed gives the same snapshot. */
    static ObjectNode snapshotJson(int pods, long seed) {
        Random random = new Random(seed);
        int few = few(pods);
        ObjectNode s = SnapshotCodec.MAPPER.createObjectNode();
        s.put("now", NOW.toString());
        s.putObject("target").put("namespace", "shop").put("name", "web");

        ObjectNode config = s.putObject("config");
        config.put("minReplicas", 2);
        config.put("maxReplicas", 3 * pods);
        config.put("targetCPUUtilizationPercentage", 60);
        ObjectNode behavior = config.putObject("behavior");
        ObjectNode up = behavior.putObject("scaleUp");
        up.put("stabilizationWindowSeconds", 60);
        up.put("selectPolicy", "Max");
        ArrayNode upPolicies = up.putArray("policies");
        upPolicies.addObject().put("type", "Pods").put("value", 4).put("periodSeconds", 60);
        upPolicies.addObject().put("type", "Percent").put("value", 50).put("periodSeconds", 60);
        ObjectNode down = behavior.putObject("scaleDown");
        down.put("stabilizationWindowSeconds", 300);
        down.put("selectPolicy", "Min");
        ArrayNode downPolicies = down.putArray("policies");
        downPolicies.addObject().put("type", "Pods").put("value", 2).put("periodSeconds", 60);
        downPolicies.addObject().put("type", "Percent").put("value", 10).put("periodSeconds", 120);

        s.putObject("scale").put("specReplicas", pods).put("statusReplicas", pods);

        ArrayNode podList = s.putArray("pods");
        ArrayNode metrics = s.putArray("podMetrics");
        Set<String> names = new HashSet<>();
        for (int i = 0; i < pods; i++) {
            String name;
            do {
                name = "web-5d8c7f9b6d-" + suffix(random);
            } while (!names.add(name));
            boolean unready = i >= pods - few;
            boolean missing = !unready && i >= pods - 2 * few;
            ObjectNode pod = podList.addObject();
            pod.put("name", name);
            pod.put("phase", "Running");
            if (unready) {
                // Started 90 s ago, inside the CPU initialization period, and not ready yet.
                pod.put("ready", false);
                pod.put("deleting", false);
                pod.put("startTime", NOW.minusSeconds(90).toString());
                pod.put("readyTransitionTime", NOW.minusSeconds(88).toString());
            } else {
                pod.put("ready", true);
                pod.put("deleting", false);
                pod.put(
                        "startTime",
                        NOW.minusSeconds(3 * 86_400 + random.nextInt(86_400)).toString());
                pod.put("readyTransitionTime", NOW.minusSeconds(3 * 86_400 - 30).toString());
            }
            ArrayNode containers = pod.putArray("containers");
            containers
                    .addObject()
                    .put("name", "app")
                    .put("requestMilliCpu", 500)
                    .put("restartableInit", false);
            containers
                    .addObject()
                    .put("name", "istio-proxy")
                    .put("requestMilliCpu", 100)
                    .put("restartableInit", true);
            if (!missing) {
                metric(metrics, name, random);
            }
        }
        // metrics-server still reports a pod the selector no longer lists.
        metric(metrics, "web-5d8c7f9b6d-gone0", random);

        // The last five minutes: a proposal every 15 s, trending up; the oldest is past both windows and gets replaced.
        ObjectNode history = s.putObject("history");
        ArrayNode recommendations = history.putArray("recommendations");
        for (int i = 0; i < 20; i++) {
            recommendations
                    .addObject()
                    .put("time", NOW.minusSeconds(315 - 15L * i).toString())
                    .put("replicas", pods - 3 + Math.max(1, pods / 50) * i / 2);
        }
        ArrayNode upEvents = history.putArray("scaleUpEvents");
        upEvents.addObject().put("time", NOW.minusSeconds(400).toString()).put("replicas", 3);
        upEvents.addObject().put("time", NOW.minusSeconds(40).toString()).put("replicas", 2);
        history.putArray("scaleDownEvents")
                .addObject()
                .put("time", NOW.minusSeconds(100).toString())
                .put("replicas", 1);
        return s;
    }

    private static void metric(ArrayNode metrics, String pod, Random random) {
        ObjectNode m = metrics.addObject();
        m.put("pod", pod);
        m.put("timestamp", NOW.minusSeconds(12).toString());
        m.put("windowSeconds", 30);
        ArrayNode usage = m.putArray("containers");
        usage.addObject().put("name", "app").put("usageMilliCpu", 400 + random.nextInt(180));
        usage.addObject().put("name", "istio-proxy").put("usageMilliCpu", 20 + random.nextInt(40));
    }

    private static String suffix(Random random) {
        String alphabet = "bcdfghjklmnpqrstvwxz2456789";
        StringBuilder b = new StringBuilder(5);
        for (int i = 0; i < 5; i++) {
            b.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return b.toString();
    }
}
