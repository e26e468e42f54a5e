package dev.zkscale.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zkscale.core.Pod;
import dev.zkscale.core.PodMetrics;
import dev.zkscale.loop.MetricsSource.MetricsUnavailableException;
import dev.zkscale.loop.MetricsSource.NamespaceMetrics;
import dev.zkscale.loop.Selector;
import dev.zkscale.loop.Workload;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link KubeMetrics} reading PodMetrics lists as the mock API server sends them, byte for byte as written here: the
 * quantities metrics-server and other metrics adapters write, and lists with one malformed item among good ones.
 */
class KubeMetricsStreamTest {
    private static final String NS = "shop";
    private static final String PATH = "/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods";
    private static final Workload WEB = new Workload(
            NS, "Deployment", "web", 2, 2, new Selector(Map.of("app", "web"), List.of()), 0, "1", null, false);
    private static final String GOOD =
            item("web-0", "\"2026-01-01T00:10:00Z\"", "\"30s\"", "[" + container("\"100m\"") + "]");

    @RegisterExtension
    final MockApiExtension kube = new MockApiExtension();

    private NamespaceMetrics read(String... items) throws MetricsUnavailableException {
        return readBody("{\"kind\":\"PodMetricsList\",\"apiVersion\":\"metrics.k8s.io/v1beta1\",\"metadata\":{},"
                + "\"items\":[" + String.join(",", items) + "]}");
    }

    private NamespaceMetrics readBody(String body) throws MetricsUnavailableException {
        kube.api().server.expect().get().withPath(PATH).andReturn(200, body).always();
        return new KubeMetrics(Requests.once(kube.client())).podMetrics(NS);
    }

    private static String item(String name, String timestamp, String window, String containers) {
        return "{\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"shop\",\"labels\":{\"app\":\"web\"},"
                + "\"creationTimestamp\":\"2026-01-01T00:10:05Z\"},\"timestamp\":" + timestamp + ",\"window\":"
                + window + ",\"containers\":" + containers + "}";
    }

    private static String container(String cpu) {
        return "{\"name\":\"app\",\"usage\":{\"cpu\":" + cpu + ",\"memory\":\"12Mi\"}}";
    }

    static Stream<Arguments> quantities() {
        return Stream.of(
                Arguments.of("nanocores (metrics-server's form)", "\"250000000n\"", 250L),
                Arguments.of("nanocores rounded up", "\"123456789n\"", 124L),
                Arguments.of("microcores", "\"250000u\"", 250L),
                Arguments.of("millicores", "\"250m\"", 250L),
                Arguments.of("plain cores", "\"2\"", 2000L),
                Arguments.of("decimal cores", "\"0.25\"", 250L),
                Arguments.of("decimal exponent", "\"25e-2\"", 250L),
                Arguments.of("upper-case exponent", "\"1E1\"", 10_000L),
                Arguments.of("zero", "\"0\"", 0L),
                Arguments.of("a JSON number, as some adapters write it", "1.5", 1500L),
                Arguments.of("no cpu reported", "null", null));
    }

    @ParameterizedTest(name = "{0}: {1} is {2} millicores")
    @MethodSource("quantities")
    @DisplayName("CPU usage in every Kubernetes quantity form becomes millicores")
    void quantityForms(String name, String cpu, Long expected) throws Exception {
        NamespaceMetrics read = read(item("web-1", "\"2026-01-01T00:10:00Z\"", "\"30s\"", "[" + container(cpu) + "]"));

        assertEquals(0, read.unreadable());
        assertEquals(
                List.of(new PodMetrics(
                        "web-1",
                        Instant.parse("2026-01-01T00:10:00Z"),
                        30,
                        List.of(new PodMetrics.Usage("app", expected)))),
                read.select(WEB));
    }

    static Stream<Arguments> malformedItems() {
        return Stream.of(
                Arguments.of("window not a duration", item("web-1", "\"2026-01-01T00:10:00Z\"", "\"soon\"", "[]")),
                Arguments.of("window a number", item("web-1", "\"2026-01-01T00:10:00Z\"", "30", "[]")),
                Arguments.of("timestamp not a time", item("web-1", "\"yesterday\"", "\"30s\"", "[]")),
                badCpu("cpu not a quantity", "lots"),
                badCpu("cpu negative", "-5m"),
                badCpu("cpu negative cores", "-1"),
                badCpu("cpu NaN", "NaN"),
                badCpu("cpu empty", ""),
                badCpu("cpu overflowing a long", "9e99"),
                badCpu("cpu over a billion cores", "2e9"),
                Arguments.of(
                        "cpu an object",
                        item("web-1", "\"2026-01-01T00:10:00Z\"", "\"30s\"", "[" + container("{\"n\":1}") + "]")),
                Arguments.of(
                        "containers not a list", item("web-1", "\"2026-01-01T00:10:00Z\"", "\"30s\"", "{\"a\":[1]}")),
                Arguments.of(
                        "a container not an object", item("web-1", "\"2026-01-01T00:10:00Z\"", "\"30s\"", "[\"app\"]")),
                Arguments.of(
                        "labels not an object",
                        "{\"metadata\":{\"name\":\"web-1\",\"labels\":[\"app=web\"]},\"window\":\"30s\"}"),
                Arguments.of("no name", "{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"window\":\"30s\"}"),
                Arguments.of("an item that is not an object", "[1, {\"a\": 2}]"));
    }

    private static Arguments badCpu(String name, String quantity) {
        return Arguments.of(
                name,
                item("web-1", "\"2026-01-01T00:10:00Z\"", "\"30s\"", "[" + container("\"" + quantity + "\"") + "]"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedItems")
    @DisplayName("a malformed item harms only its own pod: it is left out and counted, the items around it are read")
    void malformedItem(String name, String bad) throws Exception {
        NamespaceMetrics read = read(GOOD, bad, GOOD.replace("web-0", "web-2"));

        assertEquals(1, read.unreadable());
        assertEquals(
                List.of("web-0", "web-2"),
                read.select(WEB).stream().map(PodMetrics::pod).toList());
    }

    @Test
    @DisplayName("missing fields take Go's zero values, as the HPA decodes them; unknown fields are skipped")
    void missingFields() throws Exception {
        NamespaceMetrics read = read(
                "{\"metadata\":{\"name\":\"web-1\",\"labels\":{\"app\":\"web\"},\"annotations\":{\"x\":\"y\"}},"
                        + "\"extra\":{\"deep\":[1,{\"a\":null}]},\"containers\":[{\"name\":\"app\",\"usage\":{}}]}",
                "{\"metadata\":{\"name\":\"web-2\",\"labels\":{\"app\":\"web\"}},\"containers\":null}");

        assertEquals(0, read.unreadable());
        assertEquals(
                List.of(
                        new PodMetrics("web-1", Pod.VERY_OLD, 0, List.of(new PodMetrics.Usage("app", null))),
                        new PodMetrics("web-2", Pod.VERY_OLD, 0, List.of())),
                read.select(WEB));
    }

    static Stream<Arguments> unreadableLists() {
        return Stream.of(
                Arguments.of("not JSON", "<html>502 Bad Gateway</html>"),
                Arguments.of("cut off inside an item", "{\"items\":[" + GOOD.substring(0, GOOD.length() / 2)),
                Arguments.of("cut off between items", "{\"items\":[" + GOOD + ","),
                Arguments.of("a JSON array", "[" + GOOD + "]"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unreadableLists")
    @DisplayName("a response that is not a JSON object fails the namespace's read, naming the namespace")
    void unreadableList(String name, String body) {
        MetricsUnavailableException e = assertThrows(MetricsUnavailableException.class, () -> readBody(body));

        assertTrue(e.getMessage().contains("namespace shop"), e.getMessage());
    }

    @Test
    @DisplayName("15,000 items in one list are all read, in list order")
    void largeList() throws Exception {
        String[] items = new String[15_000];
        Arrays.setAll(items, i -> GOOD.replace("web-0", "web-" + i));

        NamespaceMetrics read = read(items);

        assertEquals(0, read.unreadable());
        List<PodMetrics> selected = read.select(WEB);
        assertEquals(15_000, selected.size());
        assertEquals("web-14999", selected.get(14_999).pod());
    }
}
