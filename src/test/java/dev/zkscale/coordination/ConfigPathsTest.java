package dev.zkscale.coordination;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.zkscale.coordination.ConfigStore.Key;
import dev.zkscale.coordination.ConfigStoreException.Kind;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The key grammar and where each config ZNode lives: pure, no ZooKeeper. */
class ConfigPathsTest {
    private static final ConfigPaths PATHS = new ConfigPaths("/zkscale");
    private static final Key WEB = new Key("shop", "web");

    static Stream<Arguments> keys() {
        return Stream.of(
                row("the defaults", "defaults", Key.DEFAULTS),
                row("namespace and name", "shop/web", WEB),
                row("dotted name", "shop/web.v2-blue", new Key("shop", "web.v2-blue")),
                row("digits only", "1/2", new Key("1", "2")),
                row("63-character namespace", "a".repeat(63) + "/web", new Key("a".repeat(63), "web")),
                row("253-character name", "shop/" + "a".repeat(253), new Key("shop", "a".repeat(253))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("keys")
    @DisplayName("a key people type parses to the config ZNode it names")
    void parses(String text, Key expected) throws ConfigStoreException {
        assertEquals(expected, ConfigPaths.parse(text));
        assertEquals(text, expected.toString());
    }

    static Stream<Arguments> badKeys() {
        return Stream.of(
                bad("empty", ""),
                bad("no slash", "web"),
                bad("no namespace", "/web"),
                bad("no name", "shop/"),
                bad("upper case namespace", "Shop/web"),
                bad("upper case name", "shop/Web"),
                bad("upper case defaults", "Defaults"),
                bad("a path of its own", "shop/web/x"),
                bad("parent directory", "../web"),
                bad("name starting with a dot", "shop/.web"),
                bad("name ending with a dash", "shop/web-"),
                bad("dot in the namespace", "sh.op/web"),
                bad("64-character namespace", "a".repeat(64) + "/web"),
                bad("254-character name", "shop/" + "a".repeat(254)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badKeys")
    @DisplayName("anything else is refused as invalid, saying what a key looks like")
    void refuses(String text) {
        ConfigStoreException e = assertThrows(ConfigStoreException.class, () -> ConfigPaths.parse(text));
        assertEquals(Kind.INVALID, e.kind());
        assertEquals(
                "\"" + text + "\": must be NAMESPACE/NAME (Kubernetes names: lower-case letters, digits, '-', and '.' "
                        + "in the name) or defaults",
                e.getMessage());
    }

    static Stream<Arguments> paths() {
        ConfigPaths top = new ConfigPaths("/");
        return Stream.of(
                Arguments.of(Named.of("defaults", PATHS.path(Key.DEFAULTS)), "/zkscale/defaults"),
                Arguments.of(Named.of("a target", PATHS.path(WEB)), "/zkscale/targets/shop/web"),
                Arguments.of(Named.of("a namespace's targets", PATHS.targets("shop")), "/zkscale/targets/shop"),
                Arguments.of(Named.of("defaults' history", PATHS.history(Key.DEFAULTS)), "/zkscale/history/defaults"),
                Arguments.of(Named.of("a target's history", PATHS.history(WEB)), "/zkscale/history/targets/shop/web"),
                Arguments.of(Named.of("a target under the root /", top.path(WEB)), "/targets/shop/web"),
                Arguments.of(Named.of("defaults under the root /", top.path(Key.DEFAULTS)), "/defaults"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("paths")
    @DisplayName("each config ZNode and its history have one place under the root")
    void places(String actual, String expected) {
        assertEquals(expected, actual);
    }

    static Stream<Arguments> targets() {
        return Stream.of(
                row("a target's ZNode", "/zkscale/targets/shop/web", WEB),
                row("names as ZooKeeper has them", "/zkscale/targets/Shop/Web", new Key("Shop", "Web")),
                row("a namespace", "/zkscale/targets/shop", null),
                row("the targets' parent", "/zkscale/targets", null),
                row("deeper than a target", "/zkscale/targets/shop/web/x", null),
                row("the defaults", "/zkscale/defaults", null),
                row("a sibling with the same prefix", "/zkscale/targetsx/shop/web", null),
                row("another root", "/other/targets/shop/web", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    @DisplayName("a ZNode path stands for a target only two levels under the targets")
    void target(String path, Key expected) {
        assertEquals(expected, PATHS.target(path));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRoots")
    @DisplayName("a root that is not a ZooKeeper path is refused")
    void badRoot(String root) {
        assertThrows(IllegalArgumentException.class, () -> new ConfigPaths(root));
    }

    static Stream<Arguments> badRoots() {
        return Stream.of(
                Arguments.of(Named.of("relative", "zkscale")),
                Arguments.of(Named.of("trailing slash", "/zkscale/")),
                Arguments.of(Named.of("empty segment", "/zk//scale")),
                Arguments.of(Named.of("empty", "")));
    }

    private static Arguments row(String name, String input, Key expected) {
        return Arguments.of(Named.of(name, input), expected);
    }

    private static Arguments bad(String name, String input) {
        return Arguments.of(Named.of(name, input));
    }
}
