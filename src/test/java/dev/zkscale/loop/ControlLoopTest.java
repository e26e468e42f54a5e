package dev.zkscale.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.zkscale.core.Behavior;
import dev.zkscale.core.Decision;
import dev.zkscale.core.History;
import dev.zkscale.core.Mode;
import dev.zkscale.core.Pod;
import dev.zkscale.core.PodMetrics;
import dev.zkscale.core.Policy;
import dev.zkscale.core.ScalingPolicy;
import dev.zkscale.core.ScalingRules;
import dev.zkscale.core.Snapshot;
import dev.zkscale.core.TargetConfig;
import dev.zkscale.core.TargetRef;
import dev.zkscale.demo.SteppedClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One pass of the loop against fakes of its ports: what it writes, which Events and metrics it reports, what it
 * records, and which history it keeps for the next pass. The decision itself is the real {@link
 * dev.zkscale.core.Decider}'s: 3 ready pods at 435m of 500m requested, against a 50% target, ask for 6 replicas.
 */
class ControlLoopTest {
    private static final Instant NOW = Instant.parse("2026-06-01T00:10:00Z");
    private static final TargetRef WEB = new TargetRef("shop", "web");
    private static final long EPOCH = 4;
    private static final Behavior BEHAVIOR = new Behavior(
            new ScalingRules(
                    0,
                    ScalingRules.SelectPolicy.Max,
                    List.of(
                            new ScalingPolicy(ScalingPolicy.Type.Pods, 4, 15),
                            new ScalingPolicy(ScalingPolicy.Type.Percent, 100, 15)),
                    null),
            new ScalingRules(
                    300,
                    ScalingRules.SelectPolicy.Max,
                    List.of(new ScalingPolicy(ScalingPolicy.Type.Percent, 100, 15)),
                    null));
    private static final String NEW_SIZE =
            "New size: 6; reason: cpu resource utilization (percentage of request) above target";

    /** The loop's world: every port a fake, set up for a pass that scales web from 3 to 6. */
    static final class World {
        Mode mode = Mode.Active;
        Policy policy;
        /** How long the loop ran, a pass every 15 s, before the pass the row is about; what those did is not shown. */
        Duration before = Duration.ZERO;

        SteppedClock clock;
        long usageMilliCpu = 435;
        boolean dryRun;
        TuningSource.RejectedConfig rejected;
        boolean configInForce = true;
        /** What {@link Leadership#epoch()} answers. */
        OptionalLong epoch = OptionalLong.of(EPOCH);
        /** Leadership is lost while a decision is reported, for one check of {@link Leadership#epoch()}. */
        boolean loseWhileReporting;

        private boolean lost;
        /** What {@link Leadership#advancePast} answers; it also becomes the epoch. */
        OptionalLong advanced = OptionalLong.empty();

        Workload workload = workload("2");
        /** Targets beside web, by workload name: each like web, but on target (250m a pod), so never written. */
        List<String> quiet = List.of();

        String metricsError;
        String competing;
        ScaleWriter.WriteResult writeResult =
                new ScaleWriter.WriteResult(ScaleWriter.WriteResult.Result.SUCCESS, "scaled");
        ScaleWriter.WriteResult.Result stampResult = ScaleWriter.WriteResult.Result.SUCCESS;
        /** Runs as each stamp is under way, after the fence asked whether the term goes on. */
        Runnable stamping = () -> {};
        /** The size the stamp finds (and returns), when another write landed between the read and the stamp. */
        Integer landedBeforeStamp;

        final List<String> writes = new ArrayList<>();
        final List<String> stamps = new ArrayList<>();
        final List<String> events = new ArrayList<>();
        final List<String> metrics = new ArrayList<>();
        final List<Snapshot> snapshots = new ArrayList<>();
        final List<String> recorded = new ArrayList<>();

        /** The workload web, at 3 replicas, carrying {@code epoch} in its epoch annotation. */
        Workload workload(String epoch) {
            return new Workload(
                    "shop",
                    "Deployment",
                    "web",
                    3,
                    3,
                    new Selector(Map.of("app", "web"), List.of()),
                    Long.parseLong(epoch),
                    "17",
                    epoch,
                    true);
        }

        private OptionalLong lostOnce() {
            lost = false;
            return OptionalLong.empty();
        }

        ControlLoop loop() {
            Leadership leadership = new FakeLeadership(() -> lost ? lostOnce() : epoch, (ours, foreign) -> {
                epoch = advanced;
                return advanced;
            });
            TuningSource tuning = () -> {
                List<TuningSource.Target> targets = new ArrayList<>();
                targets.add(new TuningSource.Target(WEB, configInForce ? inForce("web") : null, rejected));
                quiet.forEach(
                        name -> targets.add(new TuningSource.Target(new TargetRef("shop", name), inForce(name), null)));
                return targets;
            };
            Workloads workloads = new Workloads() {
                @Override
                public Optional<Workload> workload(String namespace, String kind, String name) {
                    if (quiet.contains(name)) {
                        Workload w = World.this.workload(Long.toString(EPOCH - 2));
                        return Optional.of(new Workload(
                                w.namespace(),
                                w.kind(),
                                name,
                                w.specReplicas(),
                                w.statusReplicas(),
                                w.selector(),
                                w.writtenEpoch(),
                                w.resourceVersion(),
                                w.epochAnnotation(),
                                w.annotated()));
                    }
                    return Optional.ofNullable(workload)
                            .filter(w ->
                                    w.namespace().equals(namespace) && w.name().equals(name));
                }

                @Override
                public List<Pod> pods(Workload workload) {
                    return List.of(pod("web-1"), pod("web-2"), pod("web-3"));
                }
            };
            MetricsSource metricsSource = namespace -> {
                if (metricsError != null) {
                    throw new MetricsSource.MetricsUnavailableException(metricsError, null);
                }
                Instant now = clock.instant();
                return new MetricsSource.NamespaceMetrics() {
                    @Override
                    public List<PodMetrics> select(Workload workload) {
                        return Stream.of("web-1", "web-2", "web-3")
                                .map(pod -> new PodMetrics(
                                        pod,
                                        now.minusSeconds(15),
                                        30,
                                        List.of(new PodMetrics.Usage(
                                                "app", workload.name().equals("web") ? usageMilliCpu : 250))))
                                .toList();
                    }

                    @Override
                    public int unreadable() {
                        return 0;
                    }
                };
            };
            ScaleWriter writer = (workload, replicas, epoch) -> {
                writes.add(workload.name() + "=" + replicas + "@" + epoch);
                return writeResult;
            };
            Fence fence = (targets, stampEpoch, leading) -> targets.stream()
                    .peek(w -> {
                        leading.getAsBoolean();
                        stamps.add(w.name() + "@" + stampEpoch);
                        stamping.run();
                    })
                    .map(w -> new Fence.Stamp(
                            stampResult,
                            stampResult == ScaleWriter.WriteResult.Result.SUCCESS
                                    ? new Workload(
                                            w.namespace(),
                                            w.kind(),
                                            w.name(),
                                            landedBeforeStamp == null ? w.specReplicas() : landedBeforeStamp,
                                            w.statusReplicas(),
                                            w.selector(),
                                            stampEpoch,
                                            "18",
                                            Long.toString(stampEpoch),
                                            true)
                                    : null,
                            "stamp " + w.name() + "@" + stampEpoch))
                    .toList();
            EventSink events = (namespace, kind, name, warning, reason, message) ->
                    this.events.add((warning ? "Warning " : "Normal ") + reason + ": " + message);
            DecisionLog log = new DecisionLog() {
                @Override
                public void add(Snapshot snapshot, Decision decision, String write) {
                    snapshots.add(snapshot);
                    recorded.add(decision.outcome().action().label() + "/"
                            + decision.outcome().reason().label() + ", write " + write);
                }

                @Override
                public void retain(Set<TargetRef> managed) {}
            };
            return new ControlLoop(
                    new ControlLoop.Ports(
                            leadership,
                            tuning,
                            workloads,
                            w -> competing,
                            metricsSource,
                            writer,
                            fence,
                            events,
                            new Metrics(),
                            log),
                    clock,
                    new ControlLoop.Settings(1000, dryRun, Set.of()));
        }

        private TuningSource.ConfigInForce inForce(String name) {
            TargetConfig config =
                    new TargetConfig("Deployment", name, 2, 10, 50, null, 0.1, 300, 300, 30, BEHAVIOR, mode, policy);
            return new TuningSource.ConfigInForce(config, 3, "/zkscale/targets/shop/" + name);
        }

        /** The monitor: every call but the config gauges and the pass duration, in words. */
        private final class Metrics implements Monitor {
            @Override
            public void configRead(TargetRef target, boolean rejected) {}

            @Override
            public void decided(Snapshot snapshot, Decision decision) {
                metrics.add("decided " + decision.outcome().action().label() + "/"
                        + decision.outcome().reason().label()
                        + (decision.policy() == null
                                ? ""
                                : ", " + decision.policy().describe()));
                lost = loseWhileReporting;
            }

            @Override
            public void stamp(ScaleWriter.WriteResult.Result result) {
                metrics.add("stamp " + result);
            }

            @Override
            public void foreignEpoch(ForeignEpoch outcome) {
                metrics.add("foreign epoch " + outcome);
            }

            @Override
            public void skipped(TargetRef target, dev.zkscale.core.Outcome outcome) {
                metrics.add("skipped " + outcome.reason().label());
            }

            @Override
            public void scaleWrite(TargetRef target, boolean up, ScaleWriter.WriteResult.Result result) {
                metrics.add("write " + (up ? "up " : "down ") + result);
            }

            @Override
            public void configRejected(TargetRef target) {
                metrics.add("config rejected");
            }

            @Override
            public void configVersion(TargetRef target, int version) {}

            @Override
            public void conflict(Monitor.Conflict kind) {
                metrics.add("conflict " + kind.label());
            }

            @Override
            public void decisionFailed(dev.zkscale.core.Outcome.Reason reason) {
                metrics.add("failed " + reason.label());
            }

            @Override
            public void metricsUnreadable(int items) {
                if (items > 0) {
                    metrics.add("unreadable " + items);
                }
            }

            @Override
            public void tuningUnavailable() {
                metrics.add("tuning unavailable");
            }

            @Override
            public void stateLoadFailed(DecisionState.Failure failure, int targets) {
                metrics.add("state load failed " + failure.label() + " " + targets);
            }

            @Override
            public void stateSaveFailed(DecisionState.Failure failure) {
                metrics.add("state save failed " + failure.label());
            }

            @Override
            public void pass(Duration duration) {}

            @Override
            public void forget(TargetRef target) {
                metrics.add("forget " + target);
            }
        }
    }

    private static Pod pod(String name) {
        return new Pod(
                name,
                "Running",
                Pod.Readiness.TRUE,
                false,
                NOW.minusSeconds(600),
                NOW.minusSeconds(560),
                List.of(new Pod.Container("app", 500L, false)));
    }

    /**
     * What one pass did, and the history the next pass decides with (null when no decision was made).
     *
     * @param historyKept the history the next pass's snapshot carries, in short: the recommendations' sizes and
     *     the scale-up events' sizes
     */
    record Expected(
            List<String> writes,
            List<String> events,
            List<String> metrics,
            List<String> recorded,
            String historyKept) {}

    private static final String APPLIED = "Normal ConfigApplied: config version 3 applied (/zkscale/targets/shop/web):"
            + " minReplicas 2, maxReplicas 10, targetCPUUtilizationPercentage 50, mode ";

    private static final String UNWRITTEN = "recommendations [3, 6], scale-up events []";

    static Stream<Arguments> rows() {
        return Stream.of(
                row(
                        "a rise in load is written at the leader's epoch, remembered as a scale event, and not"
                                + " stamped: the write fenced it",
                        w -> {},
                        new Expected(
                                List.of("web=6@4"),
                                List.of(APPLIED + "Active", "Normal SuccessfulRescale: " + NEW_SIZE),
                                List.of("decided up/cpu_above_target", "write up SUCCESS"),
                                List.of("up/cpu_above_target, write SUCCESS: scaled"),
                                "recommendations [3, 6], scale-up events [3]")),
                row(
                        "leadership lost between observe and write: nothing written, the pass ends",
                        w -> w.loseWhileReporting = true,
                        new Expected(
                                List.of(),
                                List.of(APPLIED + "Active"),
                                List.of("decided up/cpu_above_target"),
                                List.of("up/cpu_above_target, write not written: leadership lost"),
                                UNWRITTEN)),
                row(
                        "a fenced write is a Warning, leaves no scale event, and is not stamped: a newer epoch is on"
                                + " it",
                        w -> w.writeResult =
                                new ScaleWriter.WriteResult(ScaleWriter.WriteResult.Result.FENCED, "newer epoch 5"),
                        new Expected(
                                List.of("web=6@4"),
                                List.of(
                                        APPLIED + "Active",
                                        "Warning FailedRescale: " + NEW_SIZE + "; error: newer epoch 5"),
                                List.of("decided up/cpu_above_target", "write up FENCED"),
                                List.of("up/cpu_above_target, write FENCED: newer epoch 5"),
                                UNWRITTEN)),
                row(
                        "a failed write is a Warning, leaves no scale event, and is stamped after the decisions",
                        w -> w.writeResult =
                                new ScaleWriter.WriteResult(ScaleWriter.WriteResult.Result.FAILURE, "HTTP 503"),
                        new Expected(
                                List.of("web=6@4"),
                                List.of(APPLIED + "Active", "Warning FailedRescale: " + NEW_SIZE + "; error: HTTP 503"),
                                List.of("decided up/cpu_above_target", "write up FAILURE", "stamp SUCCESS"),
                                List.of("up/cpu_above_target, write FAILURE: HTTP 503"),
                                UNWRITTEN)),
                row(
                        "a metrics API error is no decision, with the ScalingActive condition's reason as Event",
                        w -> w.metricsError = "HTTP 503",
                        new Expected(
                                List.of(),
                                List.of(
                                        APPLIED + "Active",
                                        "Warning FailedGetResourceMetric: failed to get cpu utilization: unable to"
                                                + " get metrics for resource cpu: unable to fetch metrics from"
                                                + " resource metrics API: HTTP 503"),
                                List.of(
                                        "decided none/metrics_api_unavailable",
                                        "failed metrics_api_unavailable",
                                        "stamp SUCCESS"),
                                List.of("none/metrics_api_unavailable, write null"),
                                "recommendations [3], scale-up events []")),
                row(
                        "a target on target is decided, then stamped; a failed stamp is counted, sent again next pass",
                        w -> {
                            w.usageMilliCpu = 250;
                            w.stampResult = ScaleWriter.WriteResult.Result.FAILURE;
                        },
                        new Expected(
                                List.of(),
                                List.of(APPLIED + "Active"),
                                List.of("decided none/no_change_recommended", "stamp FAILURE"),
                                List.of("none/no_change_recommended, write null"),
                                "recommendations [3, 3], scale-up events []")),
                row(
                        "a target of a newer epoch: the epoch is advanced past it, with a Warning, before it is decided"
                                + " and written",
                        w -> {
                            w.workload = w.workload("42");
                            w.advanced = OptionalLong.of(43);
                        },
                        new Expected(
                                List.of("web=6@43"),
                                List.of(
                                        "Warning EpochAdvanced: the workload carries leader epoch 42, above this"
                                                + " leader's 4 (an epoch counter reset, another ZooKeeper ensemble or"
                                                + " root, or an edit): epoch advanced to 43",
                                        APPLIED + "Active",
                                        "Normal SuccessfulRescale: " + NEW_SIZE),
                                List.of("foreign epoch ADVANCED", "decided up/cpu_above_target", "write up SUCCESS"),
                                List.of("up/cpu_above_target, write SUCCESS: scaled"),
                                "recommendations [3, 6], scale-up events [3]")),
                row(
                        "a target of a newer epoch when the counter has moved past ours: deposed, nothing written",
                        w -> w.workload = w.workload("42"),
                        new Expected(List.of(), List.of(), List.of("foreign epoch DEPOSED"), List.of(), null)),
                row(
                        "an HPA on the same workload: no write, a CompetingAutoscaler Warning, counted, recorded",
                        w -> w.competing = "HorizontalPodAutoscaler web (autoscaling/v2)",
                        new Expected(
                                List.of(),
                                List.of(
                                        APPLIED + "Active",
                                        "Warning CompetingAutoscaler: another autoscaler scales this workload:"
                                                + " HorizontalPodAutoscaler web (autoscaling/v2); zkscale does not"
                                                + " write it until that one is gone"),
                                List.of(
                                        "conflict hpa",
                                        "decided none/competing_autoscaler",
                                        "failed competing_autoscaler",
                                        "stamp SUCCESS"),
                                List.of("none/competing_autoscaler, write null"),
                                "recommendations [3], scale-up events []")),
                row(
                        "a missing workload is skipped with a FailedGetScale Warning",
                        w -> w.workload = null,
                        new Expected(
                                List.of(),
                                List.of(
                                        APPLIED + "Active",
                                        "Warning FailedGetScale: deployments.apps \"web\" not found"),
                                List.of("skipped workload_missing", "failed workload_missing"),
                                List.of(),
                                null)),
                row(
                        "a rejected config with none in force leaves the target unmanaged",
                        w -> {
                            w.configInForce = false;
                            w.rejected = new TuningSource.RejectedConfig("maxReplicas: must be at least 1", 3);
                        },
                        new Expected(
                                List.of(),
                                List.of("Warning InvalidConfig: maxReplicas: must be at least 1"),
                                List.of("config rejected"),
                                List.of(),
                                null)),
                row(
                        "a dry run decides and records, and writes nothing",
                        w -> w.dryRun = true,
                        new Expected(
                                List.of(),
                                List.of(APPLIED + "Active"),
                                List.of("decided up/cpu_above_target"),
                                List.of("up/cpu_above_target, write dry run: not written"),
                                UNWRITTEN)),
                row(
                        "a target in mode DryRun decides and records, and writes nothing",
                        w -> w.mode = Mode.DryRun,
                        new Expected(
                                List.of(),
                                List.of(APPLIED + "DryRun"),
                                List.of("decided up/cpu_above_target"),
                                List.of("up/cpu_above_target, write dry run: not written"),
                                UNWRITTEN)),
                row(
                        "a shadow policy's scale-down is only recorded: the HPA keeps 3 and nothing is written",
                        w -> {
                            // 175m of 500m on 3 pods: 2.1 pods at the target, which 2 cover within tolerance
                            w.usageMilliCpu = 175;
                            w.policy = new Policy(Policy.Type.Forecast, true, 30, Policy.DEFAULT_QUANTILE);
                            w.before = Duration.ofMinutes(5);
                        },
                        new Expected(
                                List.of(),
                                List.of(),
                                // stamped in the term's first pass: not again while the cache shows the object
                                // the stamp went over
                                List.of("decided none/no_change_recommended, Forecast policy (shadow) recommends 2"
                                        + " (forecast 2.10 pods in 60s, upper bound 2.10; the HPA proposes 3)"),
                                List.of("none/no_change_recommended, write null"),
                                // 5 minutes of passes and this one: only the HPA's proposals enter its stabilization
                                "recommendations " + Collections.nCopies(22, 3) + ", scale-up events []")),
                row(
                        "a paused target is skipped without a decision",
                        w -> w.mode = Mode.Paused,
                        new Expected(
                                List.of(), List.of(APPLIED + "Paused"), List.of("skipped paused"), List.of(), null)));
    }

    private static Arguments row(String name, Consumer<World> setUp, Expected expected) {
        return Arguments.of(name, setUp, expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void pass(String name, Consumer<World> setUp, Expected expected) {
        // Given
        World world = new World();
        setUp.accept(world);
        world.clock = new SteppedClock(NOW.minus(world.before));
        ControlLoop loop = world.loop();
        while (world.clock.instant().isBefore(NOW)) {
            loop.pass();
            world.clock.advance(Duration.ofSeconds(15));
        }
        List.of(world.writes, world.events, world.metrics, world.snapshots, world.recorded)
                .forEach(List::clear);

        // When
        loop.pass();

        // Then
        assertEquals(expected.writes(), world.writes, "writes");
        assertEquals(expected.events(), world.events, "Events");
        assertEquals(expected.metrics(), world.metrics, "metrics");
        assertEquals(expected.recorded(), world.recorded, "decision record");
        assertEquals(NOW, loop.lastPass(), "heartbeat");

        // And the next pass decides with the history this one kept
        int decided = world.snapshots.size();
        loop.pass();
        String kept = null;
        if (world.snapshots.size() > decided) {
            History history = world.snapshots.get(decided).history();
            kept = "recommendations " + sizes(history.recommendations()) + ", scale-up events "
                    + sizes(history.scaleUpEvents());
        }
        assertEquals(expected.historyKept(), kept, "history kept");
    }

    /**
     * A second pass after the first wrote 6 over resourceVersion 17 at epoch 4: the workload it then sees, and what it
     * reports of another writer.
     */
    static Stream<Arguments> afterTheWrite() {
        Selector web = new Selector(Map.of("app", "web"), List.of());
        String changed = "spec.replicas changed from 6 to 3 by another writer (epoch annotation 4, this leader's is 4);"
                + " zkscale keeps deciding and may set it back";
        // The scale-up of 3 a moment ago counts against the scale-up policies: at most 4 replicas now
        String again = "Normal SuccessfulRescale: New size: 4; reason: cpu resource utilization (percentage of request)"
                + " above target";
        return Stream.of(
                Arguments.of(
                        "someone set 3 over our 6: a CompetingWriter Warning, counted, in the record; decided on",
                        new Workload("shop", "Deployment", "web", 3, 3, web, 4, "19", "4", true),
                        List.of("Warning CompetingWriter: " + changed, again),
                        List.of("conflict replicas", "decided up/cpu_above_target", "write up SUCCESS"),
                        List.of("up/cpu_above_target, write " + changed + "; write: SUCCESS: scaled")),
                Arguments.of(
                        "the cache has not caught up with our write (the resourceVersion written over): nothing to"
                                + " report",
                        new Workload("shop", "Deployment", "web", 3, 3, web, 2, "17", "2", true),
                        List.of(again),
                        List.of("decided up/cpu_above_target", "write up SUCCESS"),
                        List.of("up/cpu_above_target, write SUCCESS: scaled")),
                Arguments.of(
                        "our own write seen: nothing to report",
                        new Workload("shop", "Deployment", "web", 6, 6, web, 4, "18", "4", true),
                        List.of(),
                        List.of("decided none/no_change_recommended"),
                        List.of("none/no_change_recommended, write null")),
                Arguments.of(
                        "a newer leader's write (epoch 5) is fencing's business, not another writer: deposed",
                        new Workload("shop", "Deployment", "web", 3, 3, web, 5, "19", "5", true),
                        List.of(),
                        List.of("foreign epoch DEPOSED"),
                        List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("afterTheWrite")
    void anotherWriter(String name, Workload seen, List<String> events, List<String> metrics, List<String> recorded) {
        // Given a pass that wrote 6
        World world = new World();
        world.clock = new SteppedClock(NOW);
        ControlLoop loop = world.loop();
        loop.pass();
        assertEquals(List.of("web=6@4"), world.writes);
        world.events.clear();
        world.metrics.clear();
        world.recorded.clear();

        // When the next pass sees the workload so
        world.workload = seen;
        loop.pass();

        // Then
        assertEquals(events, world.events, "Events");
        assertEquals(metrics, world.metrics, "metrics");
        assertEquals(recorded, world.recorded, "decision record");
    }

    @Test
    @DisplayName("on a takeover, the target that needs a scale is written before the stamps of the others go out")
    void writtenBeforeTheStamps() {
        // Given a new leader's first pass over web (needs 6) and two targets on target, all of an older epoch
        World world = new World();
        world.quiet = List.of("api", "cart");
        world.clock = new SteppedClock(NOW);
        ControlLoop loop = world.loop();
        List<List<String>> writesDuringStamps = new ArrayList<>();
        world.stamping = () -> writesDuringStamps.add(List.copyOf(world.writes));

        // When
        loop.pass();

        // Then web's write (its own fence) was out while each stamp of the others was under way, and web got none
        assertEquals(List.of(List.of("web=6@4"), List.of("web=6@4")), writesDuringStamps, "writes as each stamp went");
        assertEquals(List.of("api@4", "cart@4"), world.stamps, "stamped");
        assertEquals(
                List.of(
                        "up/cpu_above_target, write SUCCESS: scaled",
                        "none/no_change_recommended, write null",
                        "none/no_change_recommended, write null"),
                world.recorded,
                "decision record");
    }

    @Test
    @DisplayName("an older leader's write that landed before the stamp: the next pass starts there, no other writer")
    void landedBeforeTheStamp() {
        // Given a first pass that needs no write, and an older leader's write of 5 that lands before the stamp
        World world = new World();
        world.usageMilliCpu = 250;
        world.landedBeforeStamp = 5;
        world.clock = new SteppedClock(NOW);
        ControlLoop loop = world.loop();
        loop.pass();
        assertEquals(List.of("web@4"), world.stamps);
        world.events.clear();
        world.metrics.clear();

        // When the next pass sees the stamped object, size 5
        world.workload = new Workload(
                "shop", "Deployment", "web", 5, 3, new Selector(Map.of("app", "web"), List.of()), 4, "18", "4", true);
        world.clock.advance(Duration.ofSeconds(15));
        loop.pass();

        // Then no CompetingWriter, no conflict counted, and no stamp again
        assertEquals(List.of(), world.events, "Events");
        assertEquals(List.of("decided none/no_change_recommended"), world.metrics, "metrics");
    }

    @Test
    @DisplayName(
            "a long first pass is not a stuck one: the heartbeat beats as each stamp goes out and as the pass ends")
    void heartbeatWithinAPass() {
        World world = new World();
        world.usageMilliCpu = 250; // on target: no write, so stamped
        world.clock = new SteppedClock(NOW);
        ControlLoop loop = world.loop();
        List<Instant> duringStamps = new ArrayList<>();
        world.stamping = () -> {
            duringStamps.add(loop.lastProgress());
            world.clock.advance(Duration.ofSeconds(90));
        };

        loop.pass();

        assertEquals(List.of(NOW), duringStamps, "the heartbeat as the stamp went out");
        assertEquals(NOW.plusSeconds(90), loop.lastProgress(), "and as the pass ended");
        assertEquals(NOW.plusSeconds(90), loop.lastPass());
    }

    private static List<Integer> sizes(List<History.Entry> entries) {
        return entries.stream().map(History.Entry::replicas).toList();
    }
}
