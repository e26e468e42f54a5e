package dev.zkscale.coordination;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zkscale.codec.SnapshotCodec;
import dev.zkscale.core.Decision;
import dev.zkscale.core.Pod;
import dev.zkscale.core.PodMetrics;
import dev.zkscale.core.ReadyPods;
import dev.zkscale.core.Snapshot;
import dev.zkscale.core.TargetRef;
import dev.zkscale.demo.SteppedClock;
import dev.zkscale.loop.ControlLoop;
import dev.zkscale.loop.DecisionLog;
import dev.zkscale.loop.DecisionMemory;
import dev.zkscale.loop.Fence;
import dev.zkscale.loop.MetricsSource;
import dev.zkscale.loop.ScaleWriter;
import dev.zkscale.loop.Selector;
import dev.zkscale.loop.TuningSource.TuningUnavailableException;
import dev.zkscale.loop.Workload;
import dev.zkscale.loop.Workloads;
import dev.zkscale.monitor.PrometheusMonitor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.IntUnaryOperator;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays one scripted load through one controller, and through two with a failover in the middle (the leader's
 * ZooKeeper session expires without it releasing anything, as after kill -9): with warm failover the decisions are
 * identical pass by pass; started cold (upstream's behaviour) they are not, which shows the scenario can tell. Real
 * parts: a ZooKeeper server, the latch and epoch ({@link ZkLeadership}), the config ZNodes ({@link ZkTuningSource}),
 * the state store ({@link ZkDecisionState}), the control loop on a stepped clock; the workload, its pods and metrics
 * are a small world of their own (fakes of the loop's ports) whose pods follow the written size.
 */
class WarmFailoverReplayTest {
    private static final Instant T0 = Instant.parse("2026-06-01T00:00:00Z");
    private static final Duration PERIOD = Duration.ofSeconds(15);
    private static final TargetRef WEB = new TargetRef("shop", "web");

    @RegisterExtension
    final ZooKeeperPerTest zk = new ZooKeeperPerTest();

    /**
     * One scenario: the target's config, its size at the start, the demand (millicores over all pods) at each pass,
     * the passes, the pass at which the second controller takes over, and the passes that scale (the write succeeds)
     * with one controller and with a cold takeover.
     */
    record Scenario(
            String name,
            String config,
            int initial,
            IntUnaryOperator demand,
            int passes,
            int failover,
            List<Integer> scales,
            List<Integer> coldScales) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Scenario> scenarios() {
        return List.of(
                // 4 pods at 100% of a 50% target go to 8; the load falls at pass 4, and the 120 s window holds 8
                // until pass 12. The failover at pass 7 is mid-window: a cold leader would hold 8 until pass 16.
                new Scenario(
                        "mid stabilization window",
                        "{\"maxReplicas\":10,\"targetCPUUtilizationPercentage\":50,"
                                + "\"downscaleStabilizationSeconds\":120}",
                        4,
                        pass -> pass < 4 ? 2000 : 500,
                        18,
                        7,
                        List.of(0, 12),
                        List.of(0, 16)),
                // 2 pods at 200% want 8, one pod per 120 s: +1 at passes 0 and 8. The failover at pass 4 is
                // mid-period: a cold leader, having forgotten the scale-up at pass 0, would add a pod at once.
                new Scenario(
                        "mid rate-limit period",
                        "{\"maxReplicas\":10,\"targetCPUUtilizationPercentage\":50,\"behavior\":{\"scaleUp\":"
                                + "{\"stabilizationWindowSeconds\":0,\"policies\":[{\"type\":\"Pods\",\"value\":1,"
                                + "\"periodSeconds\":120}]}}}",
                        2,
                        pass -> 2000,
                        12,
                        4,
                        List.of(0, 8),
                        List.of(0, 4)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    @DisplayName("two controllers with a failover decide as one would, pass by pass")
    void failoverChangesNoDecision(Scenario scenario) throws Exception {
        List<String> one = run(scenario, "/solo", false, true);
        List<String> two = run(scenario, "/pair", true, true);
        List<String> cold = run(scenario, "/cold", true, false);

        assertEquals(scenario.passes(), one.size());
        for (int pass = 0; pass < scenario.passes(); pass++) {
            assertEquals(one.get(pass), two.get(pass), "pass " + pass);
        }
        assertEquals(scenario.scales(), scales(one));
        assertEquals(scenario.coldScales(), scales(cold), "a cold takeover decides otherwise");
    }

    private static List<Integer> scales(List<String> decisions) {
        List<Integer> passes = new ArrayList<>();
        for (int pass = 0; pass < decisions.size(); pass++) {
            if (decisions.get(pass).endsWith(" write SUCCESS")) {
                passes.add(pass);
            }
        }
        return passes;
    }

    /** The decisions of every pass, without the history they pass on (pruned when saved, so not comparable). */
    private List<String> run(Scenario scenario, String root, boolean failover, boolean warm) throws Exception {
        CuratorFramework admin = client();
        admin.create()
                .creatingParentsIfNeeded()
                .forPath(root + "/targets/shop/web", scenario.config().getBytes(StandardCharsets.UTF_8));
        SteppedClock clock = new SteppedClock(T0);
        World world = new World(scenario.initial(), clock);
        List<String> decisions = new ArrayList<>();
        Instance first = instance(root, "first", world, clock, decisions, true);
        await().until(() -> first.leadership().epoch().isPresent());
        Instance second = failover ? instance(root, "second", world, clock, decisions, warm) : null;
        Instance leader = first;
        for (int pass = 0; pass < scenario.passes(); pass++) {
            if (failover && pass == scenario.failover()) {
                first.client().getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();
                await().until(() -> second.leadership().epoch().isPresent());
                leader = second;
            }
            world.demand = scenario.demand().applyAsInt(pass);
            leader.loop().pass();
            clock.advance(PERIOD);
        }
        return decisions;
    }

    private CuratorFramework client() throws InterruptedException {
        return zk.open(SharedZooKeeper.connected(zk.server().getConnectString(), null));
    }

    /** One controller instance: its own ZooKeeper session, latch, config cache, state store and loop. */
    private record Instance(CuratorFramework client, ZkLeadership leadership, ControlLoop loop) {}

    private Instance instance(
            String root, String id, World world, SteppedClock clock, List<String> decisions, boolean warm)
            throws Exception {
        CuratorFramework client = client();
        ZkTuningSource tuning = new ZkTuningSource(client, root, 1000);
        zk.open(tuning);
        tuning.start();
        await().ignoreException(TuningUnavailableException.class)
                .until(() -> !tuning.targets().isEmpty());
        ZkLeadership leadership = new ZkLeadership(client, root, id);
        zk.open(leadership);
        leadership.start();
        PrometheusMonitor monitor = new PrometheusMonitor(new SimpleMeterRegistry(), leadership, clock);
        DecisionLog log = new DecisionLog() {
            @Override
            public void add(Snapshot snapshot, Decision decision, String write) {
                ObjectNode json = SnapshotCodec.write(decision);
                json.remove("history");
                decisions.add(json + " write " + write);
            }

            @Override
            public void retain(Set<TargetRef> managed) {}
        };
        ControlLoop loop = new ControlLoop(
                new ControlLoop.Ports(
                        leadership,
                        tuning,
                        world,
                        w -> null,
                        world,
                        world,
                        world,
                        (ns, k, n, w, r, m) -> {},
                        monitor,
                        log),
                clock,
                new ControlLoop.Settings(1000, false, Set.of()),
                warm ? new DecisionMemory(new ZkDecisionState(client, root), monitor, Runnable::run) : null);
        return new Instance(client, leadership, loop);
    }

    /**
     * The cluster both controllers see: one Deployment whose pods follow its written size at once, all Ready, sharing
     * the demand evenly; the API server's fence is the epoch of the last write or stamp.
     */
    private static final class World implements Workloads, MetricsSource, ScaleWriter, Fence {
        private final SteppedClock clock;
        int spec;
        int demand;
        long writtenEpoch;

        World(int spec, SteppedClock clock) {
            this.spec = spec;
            this.clock = clock;
        }

        @Override
        public Optional<Workload> workload(String namespace, String kind, String name) {
            return Optional.of(new Workload(
                    namespace,
                    kind,
                    name,
                    spec,
                    spec,
                    new Selector(Map.of("app", "web"), List.of()),
                    writtenEpoch,
                    "1",
                    Long.toString(writtenEpoch),
                    true));
        }

        @Override
        public List<Pod> pods(Workload workload) {
            List<Pod> pods = new ArrayList<>();
            for (int i = 0; i < spec; i++) {
                pods.add(ReadyPods.pod("web-" + i, T0.minusSeconds(3600)));
            }
            return pods;
        }

        @Override
        public NamespaceMetrics podMetrics(String namespace) {
            long each = demand / spec;
            return new NamespaceMetrics() {
                @Override
                public List<PodMetrics> select(Workload workload) {
                    return pods(workload).stream()
                            .map(p -> new PodMetrics(
                                    p.name(), clock.instant(), 30, List.of(new PodMetrics.Usage("app", each))))
                            .toList();
                }

                @Override
                public int unreadable() {
                    return 0;
                }
            };
        }

        @Override
        public WriteResult scale(Workload workload, int replicas, long epoch) {
            if (epoch < writtenEpoch) {
                return new WriteResult(WriteResult.Result.FENCED, "epoch " + writtenEpoch + " wrote since");
            }
            spec = replicas;
            writtenEpoch = epoch;
            return new WriteResult(WriteResult.Result.SUCCESS, null);
        }

        @Override
        public List<Stamp> stamp(List<Workload> workloads, long epoch, BooleanSupplier leading) {
            if (epoch < writtenEpoch) {
                return List.of(new Stamp(WriteResult.Result.FENCED, null, "epoch " + writtenEpoch + " wrote since"));
            }
            writtenEpoch = epoch;
            Workload w = workloads.get(0);
            return List.of(new Stamp(
                    WriteResult.Result.SUCCESS,
                    workload(w.namespace(), w.kind(), w.name()).orElseThrow(),
                    null));
        }
    }
}
