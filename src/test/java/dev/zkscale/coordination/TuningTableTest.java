package dev.zkscale.coordination;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.zkscale.loop.TuningSource.Target;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The tunings built from cached config ZNodes, without ZooKeeper: each row feeds the table one or more views of the
 * ZNodes, in order, and checks what the last one gives.
 */
class TuningTableTest {
    private static final String WEB = "/zkscale/targets/shop/web";
    private static final String BAD = "{\"maxReplicas\": \"ten\"}";

    /** One view of the cache: the defaults ZNode (or null) and the ZNodes under the targets' parent. */
    private record View(ChildData defaults, List<ChildData> nodes) {}

    static Stream<Arguments> views() {
        return Stream.of(
                row(
                        "a valid target, no defaults",
                        List.of(new View(null, List.of(node(WEB, 1, 1, 0, max(4))))),
                        "shop/web applied v0 max 4 (" + WEB + " version 0) rejected -"),
                row(
                        "a target over the defaults names both versions",
                        List.of(new View(
                                node("/zkscale/defaults", 1, 2, 3, "{\"minReplicas\": 2}"),
                                List.of(node(WEB, 4, 4, 0, max(4))))),
                        "shop/web applied v0 max 4 (" + WEB
                                + " version 0 over /zkscale/defaults version 3) rejected -"),
                row(
                        "an invalid change keeps the last good config",
                        List.of(
                                new View(null, List.of(node(WEB, 1, 1, 0, max(4)))),
                                new View(null, List.of(node(WEB, 1, 2, 1, BAD)))),
                        "shop/web applied v0 max 4 (" + WEB + " version 0) rejected v1 " + WEB
                                + ": maxReplicas: must be an integer, got \"ten\""),
                row(
                        "a target created anew starts afresh",
                        List.of(
                                new View(null, List.of(node(WEB, 1, 1, 0, max(4)))),
                                new View(null, List.of(node(WEB, 5, 5, 0, BAD)))),
                        "shop/web applied - rejected v0 " + WEB + ": maxReplicas: must be an integer, got \"ten\""),
                row(
                        "invalid defaults reject every target, naming the defaults",
                        List.of(new View(node("/zkscale/defaults", 1, 1, 0, BAD), List.of(node(WEB, 2, 2, 0, max(4))))),
                        "shop/web applied - rejected v0 /zkscale/defaults: "
                                + "maxReplicas: must be an integer, got \"ten\""),
                row(
                        "a namespace that is no Kubernetes name is rejected",
                        List.of(new View(null, List.of(node("/zkscale/targets/Shop/web", 1, 1, 0, max(4))))),
                        "Shop/web applied - rejected v0 /zkscale/targets/Shop/web: the namespace \"Shop\" is not a "
                                + "DNS-1123 label: at most 63 lower-case letters, digits and '-', starting and ending "
                                + "with a letter or digit"),
                row(
                        "a target name that is no Kubernetes name is rejected unless scaleTargetRef names the workload",
                        List.of(new View(null, List.of(node("/zkscale/targets/shop/Web", 1, 1, 0, max(4))))),
                        "shop/Web applied - rejected v0 /zkscale/targets/shop/Web: scaleTargetRef: required: the "
                                + "target's name \"Web\" is not a DNS-1123 subdomain: at most 253 lower-case letters, "
                                + "digits, '-' and '.', each part starting and ending with a letter or digit"),
                row(
                        "maxReplicas is capped at the ceiling",
                        List.of(new View(null, List.of(node(WEB, 1, 1, 0, max(500))))),
                        "shop/web applied v0 max 100 (" + WEB + " version 0) rejected -"),
                row(
                        "namespaces and deeper ZNodes are no targets; a deleted target is gone",
                        List.of(
                                new View(
                                        null,
                                        List.of(
                                                node("/zkscale/targets/shop/api", 1, 1, 0, max(2)),
                                                node(WEB, 2, 2, 0, max(4)))),
                                new View(
                                        null,
                                        List.of(
                                                node("/zkscale/targets", 1, 1, 0, ""),
                                                node("/zkscale/targets/shop", 1, 1, 0, ""),
                                                node(WEB + "/extra", 3, 3, 0, max(3)),
                                                node(WEB, 2, 2, 0, max(4))))),
                        "shop/web applied v0 max 4 (" + WEB + " version 0) rejected -"),
                row(
                        "sorted by namespace, then name",
                        List.of(new View(
                                null,
                                List.of(
                                        node("/zkscale/targets/shop/web", 1, 1, 0, max(4)),
                                        node("/zkscale/targets/blog/web", 2, 2, 0, max(2)),
                                        node("/zkscale/targets/shop/api", 3, 3, 0, max(3))))),
                        "blog/web applied v0 max 2 (/zkscale/targets/blog/web version 0) rejected -\n"
                                + "shop/api applied v0 max 3 (/zkscale/targets/shop/api version 0) rejected -\n"
                                + "shop/web applied v0 max 4 (" + WEB + " version 0) rejected -"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("views")
    @DisplayName("each view of the config ZNodes gives the tunings the controller decides with")
    void rebuild(List<View> views, String expected) {
        TuningTable table = new TuningTable(new ConfigPaths("/zkscale"), 100);
        List<Target> tunings = List.of();
        for (View view : views) {
            tunings = table.rebuild(view.defaults(), view.nodes().stream());
        }
        assertEquals(
                expected,
                String.join(
                        "\n", tunings.stream().map(TuningTableTest::describe).toList()));
    }

    private static String describe(Target t) {
        return t.target().namespace() + "/" + t.target().name() + " applied "
                + (t.inForce() == null
                        ? "-"
                        : "v" + t.inForce().version() + " max "
                                + t.inForce().config().maxReplicas() + " ("
                                + t.inForce().origin() + ")")
                + " rejected "
                + (t.rejected() == null
                        ? "-"
                        : "v" + t.rejected().version() + " " + t.rejected().error());
    }

    private static Arguments row(String name, List<View> views, String expected) {
        return Arguments.of(Named.of(name, views), expected);
    }

    private static String max(int n) {
        return "{\"maxReplicas\": " + n + "}";
    }

    private static ChildData node(String path, long czxid, long mzxid, int version, String json) {
        Stat stat = new Stat();
        stat.setCzxid(czxid);
        stat.setMzxid(mzxid);
        stat.setVersion(version);
        return new ChildData(path, stat, json.getBytes(StandardCharsets.UTF_8));
    }
}
