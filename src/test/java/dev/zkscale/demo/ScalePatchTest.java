package dev.zkscale.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What the write audit and the fault campaign read from a write's body: its epoch and replicas. */
class ScalePatchTest {
    static Stream<Arguments> bodies() {
        return Stream.of(
                Arguments.of(
                        "JSON Patch on an annotated Deployment: the tests are skipped, the add is read",
                        "[{\"op\":\"test\",\"path\":\"/metadata/resourceVersion\",\"value\":\"7\"},"
                                + "{\"op\":\"test\",\"path\":\"/metadata/annotations/zkscale.dev~1leader-epoch\","
                                + "\"value\":\"4\"},{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":5},"
                                + "{\"op\":\"add\",\"path\":\"/metadata/annotations/zkscale.dev~1leader-epoch\","
                                + "\"value\":\"5\"}]",
                        5L,
                        5),
                Arguments.of(
                        "JSON Patch that adds the whole annotations map",
                        "[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":3},{\"op\":\"add\","
                                + "\"path\":\"/metadata/annotations\",\"value\":{\"zkscale.dev/leader-epoch\":\"2\"}}]",
                        2L,
                        3),
                Arguments.of(
                        "JSON Patch that stamps the epoch only",
                        "[{\"op\":\"add\",\"path\":\"/metadata/annotations/zkscale.dev~1leader-epoch\","
                                + "\"value\":\"9\"}]",
                        9L,
                        -1),
                Arguments.of(
                        "merge patch",
                        "{\"metadata\":{\"annotations\":{\"zkscale.dev/leader-epoch\":\"6\"}},"
                                + "\"spec\":{\"replicas\":4}}",
                        6L,
                        4),
                Arguments.of(
                        "an epoch that is no number",
                        "{\"metadata\":{\"annotations\":" + "{\"zkscale.dev/leader-epoch\":\"x\"}}}",
                        -1L,
                        -1),
                Arguments.of("not JSON", "replicas=3", -1L, -1),
                Arguments.of("empty", "", -1L, -1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bodies")
    void reads(String name, String body, long epoch, int replicas) {
        assertEquals(new ScalePatch(epoch, replicas), ScalePatch.read(body));
    }
}
