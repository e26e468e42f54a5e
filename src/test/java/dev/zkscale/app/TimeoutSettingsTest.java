package dev.zkscale.app;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A write in flight must not outlive leadership: a Kubernetes request timeout above a third of the ZooKeeper session
 * timeout stops start-up with one line naming the setting, before anything connects; the defaults satisfy the rule.
 */
class TimeoutSettingsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "the old default of 5 s against a 10 s session | 5000 | 10s",
                "just above a third of a 3 s session           | 1001 | 3s",
                "no timeout at all                             | 0    | 10s"
            })
    @DisplayName("a request timeout above a third of the session timeout is refused at start")
    void refused(String name, int requestMillis, String session) {
        // No ZooKeeper and no API server: the settings are checked before either is used.
        try (KubernetesClient kubernetes = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder()
                        .withMasterUrl("http://127.0.0.1:1")
                        .withRequestTimeout(requestMillis)
                        .build())
                .build()) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> Controller.start(
                            TestSettings.of("127.0.0.1:1", "a", Map.of("zkscale.zookeeper.session-timeout", session)),
                            kubernetes,
                            null,
                            Clock.systemUTC()));
            assertEquals(
                    "setting quarkus.kubernetes-client.request-timeout: must be more than 0 and at most a third of"
                            + " zkscale.zookeeper.session-timeout ("
                            + Duration.parse("PT" + session).toMillis()
                            + " ms), so that no write outlives leadership; got " + requestMillis + " ms",
                    e.getMessage());
        }
    }

    @Test
    @DisplayName("the defaults satisfy the rule: 3 s of a 10 s session")
    void defaults() {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withConverter(Duration.class, 200, new DurationConverter())
                .withMapping(KubernetesClients.Settings.class)
                .withMapping(ZkscaleSettings.class)
                .build();
        Duration request =
                config.getConfigMapping(KubernetesClients.Settings.class).requestTimeout();
        Duration session =
                config.getConfigMapping(ZkscaleSettings.class).zookeeper().sessionTimeout();

        assertEquals(Duration.ofSeconds(3), request);
        assertEquals(Duration.ofSeconds(10), session);
        assertDoesNotThrow(() -> Controller.checkTimeouts(request, session));
    }
}
