package dev.zkscale.app;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Readiness and liveness of real controllers (ZooKeeper server, mock API server), as the health checks read them. */
class HealthTest {
    @RegisterExtension
    final ControllerRig rig = new ControllerRig();

    private Controller controller(String id) {
        return rig.start(
                TestSettings.of(rig.zk().getConnectString(), id),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    @Test
    @DisplayName("the leader and a follower are both ready and, once they pass, alive")
    void followerIsReadyAndAlive() {
        Controller a = controller("a");
        Controller b = controller("b");
        await().until(() ->
                a.leadership().epoch().isPresent() || b.leadership().epoch().isPresent());
        a.loop().pass();
        b.loop().pass();
        for (Controller c : List.of(a, b)) {
            Controller.Readiness r = c.readiness();
            assertTrue(r.ready(), r.toString());
            assertNull(r.configProblem());
            Controller.Liveness l = c.liveness(Duration.ofSeconds(60));
            assertTrue(l.alive());
            assertEquals(rig.clock.instant(), l.lastPass());
        }
    }

    @Test
    @DisplayName("without ZooKeeper an instance is not ready; with it back, it is again")
    void zookeeperDown() throws Exception {
        Controller c = controller("a");
        await().until(() -> c.readiness().ready());

        rig.zk().stop();
        await().atMost(Duration.ofSeconds(20)).until(() -> !c.readiness().zookeeperConnected());
        Controller.Readiness down = c.readiness();
        assertFalse(down.ready());
        assertEquals("ZooKeeper is not connected", down.configProblem());
        assertTrue(down.kubernetesWatching(), "the caches are not the problem");

        rig.zk().restart();
        await().atMost(Duration.ofSeconds(20)).until(() -> c.readiness().ready());
    }

    @Test
    @DisplayName("without the API server's watches an instance is not ready")
    void kubernetesDown() {
        Controller c = controller("a");
        await().until(() -> c.readiness().ready());

        rig.api().server.destroy();

        await().atMost(Duration.ofSeconds(20)).until(() -> !c.readiness().kubernetesWatching());
        assertFalse(c.readiness().ready());
        assertTrue(c.readiness().zookeeperConnected());
    }

    @Test
    @DisplayName("liveness fails when no pass ended within the timeout, counting from start-up, and recovers")
    void liveness() {
        Controller c = controller("a");
        Duration timeout = Duration.ofSeconds(60);
        assertTrue(c.liveness(timeout).alive(), "just started");
        assertNull(c.liveness(timeout).lastPass());

        rig.clock.advance(Duration.ofSeconds(61));
        assertFalse(c.liveness(timeout).alive(), "no pass since start-up");

        c.loop().pass();
        assertTrue(c.liveness(timeout).alive());
        rig.clock.advance(Duration.ofSeconds(60));
        assertTrue(c.liveness(timeout).alive(), "exactly the timeout is still alive");
        rig.clock.advance(Duration.ofSeconds(1));
        Controller.Liveness stalled = c.liveness(timeout);
        assertFalse(stalled.alive());
        assertEquals(Duration.ofSeconds(61), stalled.age());
    }

    @Test
    @DisplayName("the liveness timeout: the setting, else four sync periods but at least 60 s")
    void livenessTimeout() {
        assertEquals(Duration.ofSeconds(60), HealthChecks.livenessTimeout(Optional.empty(), Duration.ofSeconds(1)));
        assertEquals(Duration.ofSeconds(60), HealthChecks.livenessTimeout(Optional.empty(), Duration.ofSeconds(15)));
        assertEquals(Duration.ofSeconds(120), HealthChecks.livenessTimeout(Optional.empty(), Duration.ofSeconds(30)));
        assertEquals(
                Duration.ofSeconds(10),
                HealthChecks.livenessTimeout(Optional.of(Duration.ofSeconds(10)), Duration.ofSeconds(15)));
    }
}
