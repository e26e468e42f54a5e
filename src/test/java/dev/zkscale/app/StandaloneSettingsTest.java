package dev.zkscale.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Settings read outside the Quarkus runtime convert as {@code zkscale run} converts them, from the one mapping. */
class StandaloneSettingsTest {
    @AfterEach
    void clear() {
        System.clearProperty("zkscale.zookeeper.connect");
    }

    static Stream<Arguments> values() {
        return Stream.of(
                row("the mapping's default", Map.of(), ZkscaleSettings::syncPeriod, Duration.ofSeconds(15)),
                row(
                        "Quarkus' short duration",
                        Map.of("zkscale.sync-period", "500ms"),
                        ZkscaleSettings::syncPeriod,
                        Duration.ofMillis(500)),
                row(
                        "a number of seconds",
                        Map.of("zkscale.zookeeper.session-timeout", "3"),
                        s -> s.zookeeper().sessionTimeout(),
                        Duration.ofSeconds(3)),
                row(
                        "an ISO-8601 duration",
                        Map.of("zkscale.cache-sync-timeout", "PT0.25S"),
                        ZkscaleSettings::cacheSyncTimeout,
                        Duration.ofMillis(250)),
                row(
                        "a list",
                        Map.of("zkscale.namespaces", "shop,ops"),
                        ZkscaleSettings::namespaces,
                        Optional.of(List.of("shop", "ops"))),
                row("absent is empty", Map.of(), ZkscaleSettings::namespaces, Optional.empty()));
    }

    private static Arguments row(
            String name, Map<String, String> given, Function<ZkscaleSettings, Object> read, Object expected) {
        return Arguments.of(Named.of(name, given), read, expected);
    }

    @ParameterizedTest
    @MethodSource("values")
    @DisplayName("values convert as Quarkus converts them; absent ones take the mapping's default")
    void converts(Map<String, String> given, Function<ZkscaleSettings, Object> read, Object expected) {
        assertEquals(expected, read.apply(StandaloneSettings.of(given)));
    }

    @Test
    @DisplayName("a value that does not convert is one line per setting, naming it")
    void badValues() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> StandaloneSettings.of(
                        Map.of("zkscale.max-replicas-ceiling", "lots", "zkscale.sync-period", "soon")));
        assertEquals(
                List.of(
                        "setting zkscale.max-replicas-ceiling: Expected an integer value, got \"lots\"",
                        "setting zkscale.sync-period: Invalid duration: soon"),
                Stream.of(e.getMessage().split("; ")).sorted().toList());
    }

    @Test
    @DisplayName("the environment's settings: a -D system property over the default")
    void environment() {
        System.setProperty("zkscale.zookeeper.connect", "zk-0:2181");
        ZkscaleSettings settings = StandaloneSettings.environment().getConfigMapping(ZkscaleSettings.class);
        assertEquals("zk-0:2181", settings.zookeeper().connect());
        assertEquals("/zkscale", settings.zookeeper().root());
    }
}
