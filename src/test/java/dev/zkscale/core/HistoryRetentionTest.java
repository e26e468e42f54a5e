package dev.zkscale.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.zkscale.codec.ConfigCodec;
import dev.zkscale.codec.StrictJson;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a saved history keeps ({@link History#retainedFor}): every entry of the longest window the config (or the
 * forecast) can look back over, none older. Each row: a name, a config, the age in seconds of each recommendation,
 * scale-up and scale-down event, and the ages kept.
 */
class HistoryRetentionTest {
    private static final Instant NOW = Instant.parse("2026-01-01T01:00:00Z");
    private static final List<Integer> AGES = List.of(0, 15, 59, 60, 61, 119, 120, 121, 300, 301, 1800, 3600, 3601);

    static Stream<Arguments> rows() {
        return Stream.of(
                Arguments.of(
                        "legacy: the scale-down window (300 s by default)",
                        "{\"maxReplicas\":10}",
                        List.of(0, 15, 59, 60, 61, 119, 120, 121, 300)),
                Arguments.of(
                        "legacy: a window of 60 s keeps an entry exactly 60 s old (the legacy window includes it)",
                        "{\"maxReplicas\":10,\"downscaleStabilizationSeconds\":60}",
                        List.of(0, 15, 59, 60)),
                Arguments.of(
                        "behavior: the longest of the windows and the policy periods (scale-up period 1800 s)",
                        "{\"maxReplicas\":10,\"downscaleStabilizationSeconds\":0,\"behavior\":{\"scaleUp\":{"
                                + "\"policies\":[{\"type\":\"Pods\",\"value\":1,\"periodSeconds\":1800}]},"
                                + "\"scaleDown\":{\"stabilizationWindowSeconds\":120}}}",
                        List.of(0, 15, 59, 60, 61, 119, 120, 121, 300, 301, 1800)),
                Arguments.of(
                        "behavior: a scale-up window of an hour",
                        "{\"maxReplicas\":10,\"behavior\":{\"scaleUp\":{\"stabilizationWindowSeconds\":3600}}}",
                        List.of(0, 15, 59, 60, 61, 119, 120, 121, 300, 301, 1800, 3600)),
                Arguments.of(
                        "forecast: no window of its own, the config's 60 s window is kept",
                        "{\"maxReplicas\":10,\"downscaleStabilizationSeconds\":60,"
                                + "\"policy\":{\"type\":\"Forecast\",\"podStartupSeconds\":40}}",
                        List.of(0, 15, 59, 60)),
                Arguments.of(
                        "forecast in shadow: the HPA decides, its windows count",
                        "{\"maxReplicas\":10,\"downscaleStabilizationSeconds\":60,"
                                + "\"policy\":{\"type\":\"Forecast\",\"shadow\":true,\"podStartupSeconds\":600}}",
                        List.of(0, 15, 59, 60)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    @DisplayName("entries older than the longest window are dropped")
    void retained(String name, String config, List<Integer> kept) throws Exception {
        History history = new History(entries(AGES), entries(AGES), entries(AGES), null);

        History retained = history.retainedFor(parse(config), NOW);

        assertEquals(new History(entries(kept), entries(kept), entries(kept), null), retained);
    }

    @Test
    @DisplayName("forecast: its state is kept whole (floor, pending forecasts, the HPA rule's proposals)")
    void forecastState() throws Exception {
        ForecastState forecast = new ForecastState(
                NOW.minusSeconds(15),
                List.of(),
                0,
                List.of(new ForecastState.Pending(NOW.plusSeconds(85), List.of())),
                new ForecastState.Floor(3, NOW.plusSeconds(45)),
                1.5,
                List.of(new History.Entry(NOW.minusSeconds(400), 4)));
        History history = new History(entries(AGES), List.of(), List.of(), forecast);

        History retained = history.retainedFor(
                parse("{\"maxReplicas\":10,\"downscaleStabilizationSeconds\":0,"
                        + "\"policy\":{\"type\":\"Forecast\",\"podStartupSeconds\":30}}"),
                NOW);

        assertEquals(new History(entries(List.of(0)), List.of(), List.of(), forecast), retained);
    }

    private static TargetConfig parse(String json) throws Exception {
        return ConfigCodec.parse(StrictJson.parse(json, ""), "", "web");
    }

    private static List<History.Entry> entries(List<Integer> ages) {
        return ages.stream().map(a -> new History.Entry(NOW.minusSeconds(a), a)).toList();
    }
}
