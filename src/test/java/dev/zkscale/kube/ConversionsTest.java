package dev.zkscale.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The unit conversions the decision depends on, checked against what Kubernetes and Go compute. */
class ConversionsTest {

    @ParameterizedTest(name = "{0} is {1} millicores")
    @DisplayName("CPU quantities become millicores rounded up, as Quantity.MilliValue()")
    @CsvSource({
        "1, 1000", "0.5, 500", "100m, 100", "1.0001, 1001", "250m, 250", "123456789n, 124", "1u, 1", "0, 0",
        "2k, 2000000", "1e-3, 1", "0.0001, 1", "3.9999m, 4"
    })
    void millicores(String quantity, long expected) {
        assertEquals(expected, Conversions.milli(quantity));
    }

    @ParameterizedTest(name = "{0} is {1} s")
    @DisplayName("Go durations (as metrics-server writes windows) become whole seconds, rounded down")
    @CsvSource({
        "30s, 30", "1m0s, 60", "15.5s, 15", "1h2m3.5s, 3723", "500ms, 0", "1500ms, 1", "0, 0", "0s, 0",
        "2m30.999s, 150", "1.5m, 90", "90000000000ns, 90", "20us, 0", ".5m, 30"
    })
    void windows(String text, long seconds) {
        assertEquals(seconds, GoDuration.seconds(text));
    }

    @ParameterizedTest(name = "\"{0}\" is rejected")
    @DisplayName("text that is not a Go duration is rejected, not guessed")
    @ValueSource(strings = {"", "soon", "30", "1x", "s", "1..5s", "-", "1d"})
    void badWindows(String text) {
        assertThrows(IllegalArgumentException.class, () -> GoDuration.seconds(text));
    }

    @Test
    @DisplayName("the epoch annotation's key is escaped as a JSON pointer token")
    void pointer() {
        assertEquals("zkscale.dev~1leader-epoch", KubeCluster.pointerToken(KubeCluster.EPOCH_ANNOTATION));
        assertEquals("a~0b~1c", KubeCluster.pointerToken("a~b/c"));
    }
}
