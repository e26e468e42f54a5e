package dev.zkscale.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A decision record setting out of range stops start-up with one line naming it, before anything connects. */
class DecisionRecordSettingsTest {
    @ParameterizedTest(name = "depth {0}, max bytes {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "0  | 1048576 | setting zkscale.decision-record-depth: must be at least 1, got 0",
                "-5 | 1048576 | setting zkscale.decision-record-depth: must be at least 1, got -5",
                "10 | -1      | setting zkscale.decision-record-max-bytes: must be 0 or more "
                        + "(0 keeps only each target's latest decision), got -1"
            })
    @DisplayName("a bad decision record setting is refused with its name and value")
    void refused(int depth, long maxBytes, String message) {
        // No ZooKeeper and no Kubernetes client: the settings are checked before either is used.
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> Controller.start(
                        TestSettings.of(
                                "127.0.0.1:1",
                                "a",
                                Map.of(
                                        "zkscale.decision-record-depth",
                                        Integer.toString(depth),
                                        "zkscale.decision-record-max-bytes",
                                        Long.toString(maxBytes))),
                        null,
                        null,
                        Clock.systemUTC()));
        assertEquals(message, e.getMessage());
    }
}
