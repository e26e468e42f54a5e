package dev.zkscale.app;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.Uninterruptibles;
import dev.zkscale.coordination.ZkLeadership;
import dev.zkscale.coordination.ZkTuningSource;
import dev.zkscale.coordination.ZooKeeperClients;
import dev.zkscale.core.TargetRef;
import dev.zkscale.demo.SteppedClock;
import dev.zkscale.kube.KubeCluster;
import dev.zkscale.kube.MockApi;
import dev.zkscale.loop.ControlLoop;
import dev.zkscale.loop.ScaleWriter;
import dev.zkscale.loop.TuningSource.TuningUnavailableException;
import dev.zkscale.loop.Workload;
import dev.zkscale.monitor.DecisionRecord;
import dev.zkscale.monitor.PrometheusMonitor;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The write of a deposed leader is refused by the API server, not only skipped by a local check: leader A freezes
 * in the middle of a write (as in a long GC pause), loses its session, B takes over (stamping its epoch on the target)
 * and scales it or leaves it as it is, and A's late write then reaches the API server.
 */
class FencingTest {
    private static final String NS = "shop";

    /**
     * The real writer, with a write that stops until the test lets it go on. The pause cannot be interrupted, as a
     * pause of the whole process (a long GC) cannot: the write then goes out as if the loss of leadership had not been
     * heard yet.
     */
    private static final class FrozenWrite implements ScaleWriter {
        private final ScaleWriter real;
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch thaw = new CountDownLatch(1);

        FrozenWrite(ScaleWriter real) {
            this.real = real;
        }

        @Override
        public WriteResult scale(Workload workload, int replicas, long epoch) {
            entered.countDown();
            Uninterruptibles.awaitUninterruptibly(thaw);
            Thread.interrupted();
            return real.scale(workload, replicas, epoch);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "B scales the target: it keeps B's size | 900m | 4",
                "B does not need to change the target: B's stamp alone refuses A's write | 250m | 2"
            })
    @DisplayName(
            "a paused leader's late write is refused by the API server and the target keeps the new leader's value")
    void lateWriteOfADeposedLeaderIsRefused(String name, String bLoad, int bReplicas) throws Exception {
        SteppedClock clock = new SteppedClock(Instant.parse("2026-06-01T00:00:00Z"));
        try (TestingServer zk = new TestingServer();
                MockApi api = MockApi.start()) {
            KubernetesClient admin = api.newClient();
            Shop.deploy(admin, "web", 2);
            setLoad(admin, clock, "300m");
            Shop.configure(zk.getConnectString(), "web", "{\"maxReplicas\":20,\"targetCPUUtilizationPercentage\":50}");

            // Given A leads, with a write that will freeze
            CuratorFramework aClient =
                    ZooKeeperClients.start(zk.getConnectString(), Duration.ofSeconds(3), Duration.ofSeconds(3));
            KubeCluster aCluster = new KubeCluster(api.newClient(), Set.of());
            aCluster.start(Duration.ofSeconds(10));
            ZkLeadership aLeadership = new ZkLeadership(aClient, "/zkscale", "a");
            aLeadership.start();
            FrozenWrite frozen = new FrozenWrite(aCluster.writer());
            ZkTuningSource aTuning = new ZkTuningSource(aClient, "/zkscale", 1000);
            aTuning.start();
            try (Controller b = Controller.start(
                    TestSettings.of(zk.getConnectString(), "b"),
                    api.newClient(),
                    new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                    clock)) {
                await().until(() -> aLeadership.epoch().isPresent());
                long aEpoch = aLeadership.epoch().getAsLong();
                PrometheusMeterRegistry aRegistry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
                DecisionRecord aRecord = new DecisionRecord(10, 1 << 20);
                await().ignoreException(TuningUnavailableException.class)
                        .until(() -> !aTuning.targets().isEmpty());
                ControlLoop a = new ControlLoop(
                        new ControlLoop.Ports(
                                aLeadership,
                                aTuning,
                                aCluster.workloads(),
                                aCluster.autoscalers(),
                                aCluster.metrics(),
                                frozen,
                                aCluster.writer(),
                                aCluster.events(),
                                new PrometheusMonitor(aRegistry, aLeadership, clock),
                                aRecord),
                        clock,
                        new ControlLoop.Settings(1000, false, Set.of()));

                // When A freezes inside its write of 3 (120% of 50% on 2 pods), its session expires, and B takes
                // over under a higher load
                CompletableFuture<Void> aPass = CompletableFuture.runAsync(a::pass);
                assertTrue(frozen.entered.await(30, TimeUnit.SECONDS), "A never reached its write");
                aClient.getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();
                await().until(() -> b.leadership().epoch().isPresent());
                setLoad(admin, clock, bLoad);
                await().ignoreException(TuningUnavailableException.class)
                        .until(() -> !b.tuning().targets().isEmpty());
                b.loop().pass();
                long bEpoch = b.leadership().epoch().getAsLong();
                // 900m: 180% of a 50% target on 2 pods, limited to 2 x 2; 250m: on target, no change
                assertEquals(bReplicas, web(admin).getSpec().getReplicas(), "B's size");

                // ... and A thaws: its write goes out with its old epoch and the resourceVersion it read
                frozen.thaw.countDown();
                aPass.get(30, TimeUnit.SECONDS);

                // Then the API server refused it: the target keeps B's size and epoch, and A counted it as fenced
                Deployment web = web(admin);
                assertEquals(bReplicas, web.getSpec().getReplicas());
                assertEquals(
                        String.valueOf(bEpoch),
                        web.getMetadata().getAnnotations().get(KubeCluster.EPOCH_ANNOTATION));
                assertTrue(bEpoch > aEpoch);
                String write = aRecord.decisions(new TargetRef(NS, "web"))
                        .get(0)
                        .get("write")
                        .asText();
                assertTrue(write.startsWith("FENCED"), write);
                assertTrue(aRegistry.scrape().contains("result=\"fenced\",target=\"web\",} 1.0"), aRegistry.scrape());
            } finally {
                frozen.thaw.countDown();
                aLeadership.close();
                aTuning.close();
                aCluster.close();
                aClient.close();
            }
        }
    }

    private static Deployment web(KubernetesClient admin) {
        return admin.apps().deployments().inNamespace(NS).withName("web").get();
    }

    private static void setLoad(KubernetesClient admin, SteppedClock clock, String usage) {
        Shop.load(admin, "web", 2, clock.instant().toString(), usage);
    }
}
