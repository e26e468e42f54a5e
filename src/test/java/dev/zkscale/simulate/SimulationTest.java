package dev.zkscale.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.zkscale.codec.ConfigCodec;
import dev.zkscale.codec.SnapshotCodec;
import dev.zkscale.core.History;
import dev.zkscale.core.Pod;
import dev.zkscale.core.PodMetrics;
import dev.zkscale.core.Snapshot;
import dev.zkscale.core.TargetConfig;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Small traces worked out by hand (docs/simulate.md, "The model"): request 500, limit 1000, startup 100, 15 s passes
 * and metrics lag unless a row says otherwise; capacity at target is ready x 500 x target / 100.
 */
class SimulationTest {
    /** The defaults of {@code zkscale simulate}: 15 s passes, 10 s to start, 20 s to be Ready, 15 s metrics lag. */
    private static final PodModel DEFAULTS = new PodModel(15, 10, 20, 15, 500, 1000, 100, null);

    static TargetConfig config(String json) throws Exception {
        return ConfigCodec.parse(SnapshotCodec.MAPPER.readTree(json), "", "workload");
    }

    static Trace trace(String csv) throws Exception {
        return Trace.csv("test.csv", new ByteArrayInputStream((csv).getBytes(StandardCharsets.UTF_8)));
    }

    /** The passes and the figures of one config over a trace scaled to {@code peak}. */
    record Run(List<Simulation.Pass> passes, Figures figures) {
        Simulation.Pass at(double t) {
            return passes.stream().filter(p -> p.t() == t).findFirst().orElseThrow();
        }
    }

    static Run run(String csv, String configJson, PodModel model, double peak) throws Exception {
        TargetConfig config = config(configJson);
        List<Simulation.Pass> passes = new ArrayList<>();
        Figures figures = new Simulation(Demand.scaled(trace(csv), peak), model, config, config).run(passes::add);
        return new Run(passes, figures);
    }

    static Instant at(long seconds) {
        return Simulation.EPOCH.plusSeconds(seconds);
    }

    private static PodModel model(double podStart, double podReady, Integer initial) {
        return new PodModel(15, podStart, podReady, 15, 500, 1000, 100, initial);
    }

    private static final String TARGET_50 =
            "{\"minReplicas\":1,\"maxReplicas\":10,\"targetCPUUtilizationPercentage\":50}";

    /**
     * The step below: demand 500 until second 60, then 2000; 2 pods at 50% of a 50% target. Pods take 20 s to start
     * and 30 s more to be Ready. t=75 reads t=60's demand (1000 a pod, 200%): ceil(4 x 2) = 8, capped by the legacy
     * scale-up limit at 4; pods 3 and 4 come at 75, Running at 95, Ready at 125. t=90: pods 3, 4 Pending (unready,
     * counted at 0): 2000 over 4 pods is 100%, ratio 2, 8 pods. From t=105 the unready and missing pods keep it at 8.
     */
    private static final String STEP = "seconds,value\n0,100\n60,400\n165,400\n";

    @Test
    @DisplayName("a step: pod start and readiness times, the metrics lag, the first pass and each pass's counts")
    void step() throws Exception {
        Run run = run(STEP, TARGET_50, model(20, 30, 2), 2000);
        assertEquals(12, run.passes().size());
        int[] spec = {2, 2, 2, 2, 2, 2, 4, 8, 8, 8, 8, 8};
        int[] desired = {2, 2, 2, 2, 2, 4, 8, 8, 8, 8, 8, 8};
        int[] pending = {0, 0, 0, 0, 0, 0, 2, 4, 0, 0, 0, 0};
        int[] running = {2, 2, 2, 2, 2, 2, 2, 4, 8, 8, 8, 8};
        int[] ready = {2, 2, 2, 2, 2, 2, 2, 2, 2, 4, 8, 8};
        for (int i = 0; i < spec.length; i++) {
            Simulation.Pass pass = run.passes().get(i);
            String at = "t=" + pass.t();
            assertEquals(15.0 * i, pass.t(), at);
            assertEquals(spec[i], pass.specReplicas(), at + " spec");
            assertEquals(desired[i], pass.desiredReplicas(), at + " desired");
            assertEquals(pending[i], pass.pendingPods(), at + " pending");
            assertEquals(running[i], pass.runningPods(), at + " running");
            assertEquals(ready[i], pass.readyPods(), at + " ready");
            assertEquals(spec[i], pass.snapshot().statusReplicas(), at + " status");
            assertEquals(at(15L * i), pass.snapshot().now(), at + " now");
        }

        // The first pass: no history yet; the initial pods are Ready since an hour before t0, sampled at demand(t0).
        Snapshot first = run.at(0).snapshot();
        assertNull(first.history());
        assertEquals(
                new Pod(
                        "workload-1",
                        "Running",
                        Pod.Readiness.TRUE,
                        false,
                        at(-3600),
                        at(-3600),
                        List.of(new Pod.Container("app", 500L, false))),
                first.pods().get(0));
        assertEquals(List.of(sample("workload-1", -15, 250), sample("workload-2", -15, 250)), first.podMetrics());
        assertEquals(50, run.at(0).decision().utilizationPercent());

        // t=90: the new pods are Pending (no start time) and have no sample; the others' samples are of t=75.
        Snapshot pending90 = run.at(90).snapshot();
        assertEquals(
                new Pod(
                        "workload-3",
                        "Pending",
                        Pod.Readiness.FALSE,
                        false,
                        null,
                        null,
                        first.pods().get(0).containers()),
                pending90.pods().get(2));
        assertEquals(List.of(sample("workload-1", 75, 1000), sample("workload-2", 75, 1000)), pending90.podMetrics());

        // t=120: pods 3, 4 Running since 95, not Ready; at t=105 they were Running (startup usage); 5..8 were Pending.
        Snapshot running120 = run.at(120).snapshot();
        assertEquals(
                new Pod(
                        "workload-3",
                        "Running",
                        Pod.Readiness.FALSE,
                        false,
                        at(95),
                        null,
                        first.pods().get(0).containers()),
                running120.pods().get(2));
        assertEquals(
                List.of(
                        sample("workload-1", 105, 1000),
                        sample("workload-2", 105, 1000),
                        sample("workload-3", 105, 100),
                        sample("workload-4", 105, 100)),
                running120.podMetrics());

        // t=150: at t=135 pods 1..4 were Ready and share 2000; 5..8 (Running since 110, Ready at 140) used 100.
        Snapshot at150 = run.at(150).snapshot();
        assertEquals(at(125), at150.pods().get(2).readyTransitionTime());
        assertEquals(500L, usage(at150, "workload-3"));
        assertEquals(100L, usage(at150, "workload-8"));
        assertEquals(250L, usage(run.at(165).snapshot(), "workload-8"));
    }

    /** One pod's sample of the model: {@code usage} of container app, taken {@code seconds} after t0. */
    private static PodMetrics sample(String pod, long seconds, long usage) {
        return new PodMetrics(pod, at(seconds), 30, List.of(new PodMetrics.Usage("app", usage)));
    }

    private static long usage(Snapshot s, String pod) {
        return s.podMetrics().stream()
                .filter(m -> m.pod().equals(pod))
                .findFirst()
                .orElseThrow()
                .containers()
                .get(0)
                .usageMilliCpu();
    }

    @Test
    @DisplayName("a scale-down removes the newest pods just after the pass; they still count at that pass's time")
    void scaleDown() throws Exception {
        // 4 pods share 1000 (50%) until second 30, then 250: at t=45 (reading t=30) each uses 62.5, sampled as 63:
        // 12% of request, ratio 0.24, ceil(0.96) = 1 with no scale-down window.
        Run run = run(
                "0,100\n30,25\n60,25\n",
                "{\"maxReplicas\":10,\"targetCPUUtilizationPercentage\":50,"
                        + "\"behavior\":{\"scaleDown\":{\"stabilizationWindowSeconds\":0}}}",
                model(10, 20, 4),
                1000);
        assertEquals(4, run.at(45).specReplicas());
        assertEquals(1, run.at(45).desiredReplicas());
        Snapshot after = run.at(60).snapshot();
        assertEquals(1, after.specReplicas());
        assertEquals(1, after.statusReplicas());
        assertEquals(List.of("workload-1"), after.pods().stream().map(Pod::name).toList());
        // Sampled at t=45, when the 4 pods still existed and shared the demand: 62.5 each, rounded half up.
        assertEquals(List.of(sample("workload-1", 45, 63)), after.podMetrics());
        assertEquals(List.of(new History.Entry(at(45), 3)), after.history().scaleDownEvents());
        assertEquals(1, run.figures().scaleDowns());
        assertEquals(4, run.figures().peakReplicas());
    }

    private static final String RAMP = "0,0\n15,1\n30,2\n45,3\n60,4\n";
    private static final String WITH_BEHAVIOR =
            "{\"maxReplicas\":10,\"targetCPUUtilizationPercentage\":50,\"behavior\":{}%s}";

    @Test
    @DisplayName("a DryRun config decides but never writes: no scale event enters the history; an Active one's does")
    void dryRunKeepsNoEvents() throws Exception {
        // Demand 0, 500, 1000, 1500, 2000 on one pod: t=30 reads 500 (100%, ratio 2): 2; t=45 and t=60 read 1000 and
        // 1500 (capped at the limit 1000, 200%): 4.
        Run dry = run(RAMP, String.format(WITH_BEHAVIOR, ",\"mode\":\"DryRun\""), DEFAULTS, 2000);
        assertEquals(
                List.of(1, 1, 2, 4, 4),
                dry.passes().stream().map(Simulation.Pass::desiredReplicas).toList());
        assertEquals(
                List.of(1, 1, 1, 1, 1),
                dry.passes().stream().map(Simulation.Pass::specReplicas).toList());
        for (Simulation.Pass pass : dry.passes().subList(1, 5)) {
            assertEquals(List.of(), pass.snapshot().history().scaleUpEvents(), "t=" + pass.t());
        }
        Run active = run(RAMP, String.format(WITH_BEHAVIOR, ""), DEFAULTS, 2000);
        assertEquals(
                List.of(1, 1, 1, 2, 4),
                active.passes().stream().map(Simulation.Pass::specReplicas).toList());
        assertEquals(
                List.of(new History.Entry(at(30), 1)),
                active.at(45).snapshot().history().scaleUpEvents());
    }

    @Test
    @DisplayName("a Paused config makes no decision, as run skips it: the size stays and nothing is undecided")
    void paused() throws Exception {
        Run run = run(RAMP, "{\"maxReplicas\":10,\"mode\":\"Paused\"}", DEFAULTS, 2000);
        assertEquals(5, run.passes().size());
        for (Simulation.Pass pass : run.passes()) {
            assertNull(pass.decision(), "t=" + pass.t());
            assertEquals(1, pass.desiredReplicas(), "t=" + pass.t());
        }
        assertEquals(0, run.figures().undecidedPasses());
        assertEquals(0, run.figures().scaleUps());
    }

    static Stream<Arguments> figures() {
        return Stream.of(
                Arguments.of(
                        Named.of("zeros: one pod, no demand, nothing to do", "0,0\n60,0\n"),
                        TARGET_50,
                        DEFAULTS,
                        2000.0,
                        // 5 passes x 1 replica x 15 s; no demand: 0% utilization of the requested 5 x 500.
                        new Figures(5, 5 * 15 / 3600.0, 0, 0, 0, 0, 0, 0, 1, 0)),
                Arguments.of(
                        Named.of("the step: 2 scale-ups, over target until the new pods are Ready", STEP),
                        TARGET_50,
                        model(20, 30, 2),
                        2000.0,
                        // spec 2 x 6 + 4 + 8 x 5 = 56; over (demand > ready x 250 x 1.1) at t=60..135: 6 of 12;
                        // served 500 x 4 + 2000 x 8 = 18000 of requested 500 x (2 x 9 + 4 + 8 + 8) = 19000.
                        new Figures(12, 56 * 15 / 3600.0, 50, 0, 0, 18000 / 19000.0 * 100, 2, 0, 8, 0)),
                Arguments.of(
                        Named.of("a spike: saturated for one pass, max 2 replicas", "0,0\n30,100\n45,0\n60,0\n"),
                        "{\"maxReplicas\":2,\"targetCPUUtilizationPercentage\":50}",
                        DEFAULTS,
                        3000.0,
                        // 3000 at t=30 over one pod (limit 1000): over, saturated, 2000 unserved for 15 s; t=45 reads
                        // it (200%): 2 at most; t=60: the new pod is missing, counted at 100% of request: stays 2.
                        new Figures(
                                5, 6 * 15 / 3600.0, 20, 20, 2000 * 15 / 3_600_000.0, 1000 / 2500.0 * 100, 1, 0, 2, 0)),
                Arguments.of(
                        Named.of("a ramp in DryRun: one pod throughout, saturated above 1000", RAMP),
                        "{\"maxReplicas\":10,\"targetCPUUtilizationPercentage\":50,\"mode\":\"DryRun\"}",
                        DEFAULTS,
                        2000.0,
                        // demand 0, 500, 1000, 1500, 2000: over 275 four times, over 1000 twice (500 + 1000 unserved);
                        // served 0 + 500 + 1000 x 3 = 3500 of 2500 requested.
                        new Figures(5, 5 * 15 / 3600.0, 80, 40, 1500 * 15 / 3_600_000.0, 140, 0, 0, 1, 0)),
                Arguments.of(
                        Named.of("no request-matching pods: every decision fails and the size is kept", "0,0\n30,0\n"),
                        "{\"maxReplicas\":10,\"container\":\"sidecar\"}",
                        DEFAULTS,
                        2000.0,
                        new Figures(3, 3 * 15 / 3600.0, 0, 0, 0, 0, 0, 0, 1, 3)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    @DisplayName("every figure of section 9, worked out by hand")
    void figures(String csv, String configJson, PodModel model, double peak, Figures expected) throws Exception {
        Figures f = run(csv, configJson, model, peak).figures();
        assertEquals(expected.passes(), f.passes(), "passes");
        assertEquals(expected.replicaHours(), f.replicaHours(), 1e-12, "replicaHours");
        assertEquals(expected.overTargetPercent(), f.overTargetPercent(), 1e-9, "overTargetPercent");
        assertEquals(expected.saturatedPercent(), f.saturatedPercent(), 1e-9, "saturatedPercent");
        assertEquals(expected.unservedCoreHours(), f.unservedCoreHours(), 1e-12, "unservedCoreHours");
        assertEquals(expected.meanUtilizationPercent(), f.meanUtilizationPercent(), 1e-9, "meanUtilizationPercent");
        assertEquals(expected.scaleUps(), f.scaleUps(), "scaleUps");
        assertEquals(expected.scaleDowns(), f.scaleDowns(), "scaleDowns");
        assertEquals(expected.peakReplicas(), f.peakReplicas(), "peakReplicas");
        assertEquals(expected.undecidedPasses(), f.undecidedPasses(), "undecidedPasses");
    }

    @Test
    @DisplayName("the default peak fits the trace's peak in 90% of maxReplicas pods at the target")
    void defaultPeak() throws Exception {
        assertEquals(2250.0, Demand.defaultPeak(config(TARGET_50), 500));
        Demand demand = Demand.scaled(trace("0,2\n10,4\n"), 2250);
        assertEquals(1125.0, demand.at(5));
        assertEquals(2250.0, demand.at(10));
        assertEquals(0.0, Demand.scaled(trace("0,0\n10,0\n"), 2250).at(10));
    }
}
