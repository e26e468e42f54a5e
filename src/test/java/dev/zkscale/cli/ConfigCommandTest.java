package dev.zkscale.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zkscale.coordination.Credentials;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code zkscale config} as a user types it, in-process, against a real ZooKeeper server (a root per test). */
class ConfigCommandTest {
    private static final AtomicInteger ROOTS = new AtomicInteger();
    private static final List<String> SETTINGS = List.of(
            CliSettings.CONNECT,
            CliSettings.ROOT,
            CliSettings.CONNECTION_TIMEOUT,
            Credentials.AUTH_FILE,
            Credentials.AUTH);

    private static TestingServer server;

    @TempDir
    Path dir;

    private String root;

    private record Result(int code, String out, String err) {}

    @BeforeAll
    static void startServer() throws Exception {
        server = new TestingServer(true);
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    @BeforeEach
    void settings() {
        root = "/cli" + ROOTS.incrementAndGet();
        System.setProperty(CliSettings.CONNECT, server.getConnectString());
        System.setProperty(CliSettings.ROOT, root);
    }

    @AfterEach
    void clearSettings() {
        SETTINGS.forEach(System::clearProperty);
    }

    private Result config(String... args) {
        return configWithInput("", args);
    }

    private Result configWithInput(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> command = new ArrayList<>(List.of("config"));
        command.addAll(List.of(args));
        int code = Main.execute(
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                command.toArray(String[]::new));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private String file(String name, String content) throws Exception {
        Path path = dir.resolve(name);
        Files.writeString(path, content);
        return path.toString();
    }

    @Test
    @DisplayName("set, get, list, history, rollback and delete, as a user types them")
    void session() throws Exception {
        String web = file("web.json", "{\"maxReplicas\": 4}\n");

        assertEquals(new Result(0, "shop/web: created, version 0\n", ""), config("set", "shop/web", web));
        Result get = config("get", "shop/web");
        assertEquals(0, get.code());
        assertEquals("{\"maxReplicas\": 4}\n", get.out(), "stdout is the JSON as stored, ready to edit and set again");
        assertTrue(get.err().startsWith(root + "/targets/shop/web version 0, modified "), get.err());
        assertEquals(
                new Result(0, "shop/web: version 0 -> 1\n", ""),
                configWithInput(
                        "{\"maxReplicas\": 6, \"minReplicas\": 2}", "set", "shop/web", "-", "--expect-version", "0"));
        assertEquals(
                new Result(0, "shop/web: unchanged (version 1)\n", ""),
                configWithInput("{\"maxReplicas\": 6, \"minReplicas\": 2}", "set", "shop/web", "-"));
        assertEquals(new Result(0, "NAME      VERSION  STATUS\nshop/web  1        valid\n", ""), config("list"));

        String[] history = config("history", "shop/web").out().split("\n");
        assertEquals(3, history.length, String.join("\n", history));
        assertTrue(history[0].matches("TIME +BY +VERSION +CHANGE"), history[0]);
        assertTrue(history[1].matches("\\S+Z +anonymous +0 +created: \\{\"maxReplicas\":4\\}"), history[1]);
        assertTrue(
                history[2].matches("\\S+Z +anonymous +0 -> 1 +maxReplicas: 4 -> 6, minReplicas: \\(unset\\) -> 2"),
                history[2]);

        assertEquals(
                new Result(0, "shop/web: version 1 -> 2, restoring version 0\n", ""),
                config("rollback", "shop/web", "--to", "0"));
        assertEquals(
                new Result(
                        0,
                        "shop/web: deleted (was version 2); no longer managed, its replicas stay as they " + "are\n",
                        ""),
                config("delete", "shop/web"));
        assertEquals(
                new Result(1, "", "zkscale config get: no config ZNode " + root + "/targets/shop/web\n"),
                config("get", "shop/web"));
        String[] after = config("history", "shop/web").out().split("\n");
        assertTrue(
                after[3].matches("\\S+Z +anonymous +1 -> 2 +rollback to version 0: maxReplicas: 6 -> 4, "
                        + "minReplicas: 2 -> \\(unset\\)"),
                after[3]);
        assertTrue(after[4].matches("\\S+Z +anonymous +2 -> \\(deleted\\) +deleted"), after[4]);
    }

    @Test
    @DisplayName("an invalid config is refused in one line naming the file, the field and its line; nothing is written")
    void invalidFile() throws Exception {
        String ten = file("ten.json", "{\n  \"minReplicas\": 2,\n  \"maxReplicas\": \"ten\"\n}\n");
        String policy = file(
                "policy.json",
                "{\"maxReplicas\": 4,\n \"behavior\": {\"scaleUp\": {\"policies\": [\n"
                        + "   {\"type\": \"Pods\", \"value\": 4, \"periodSeconds\": 15},\n"
                        + "   {\"type\": \"Pods\", \"value\": 0, \"periodSeconds\": 15}]}}}\n");
        String broken = file("broken.json", "{\"maxReplicas\": 4,\n}\n");

        assertEquals(
                new Result(
                        2,
                        "",
                        "zkscale config set: " + ten + ": maxReplicas: must be an integer, got \"ten\" "
                                + "(line 3)\n"),
                config("set", "shop/web", ten));
        assertEquals(
                new Result(
                        2,
                        "",
                        "zkscale config set: " + policy + ": behavior.scaleUp.policies[1].value: "
                                + "must be >= 1, got 0 (line 4)\n"),
                config("set", "shop/web", policy));
        Result syntax = config("set", "shop/web", broken);
        assertEquals(2, syntax.code());
        assertTrue(
                syntax.err().matches("zkscale config set: " + broken + ": not valid JSON: .* \\(line 2, column 1\\)\n"),
                syntax.err());
        assertEquals(new Result(0, "", "no config ZNodes under " + root + "\n"), config("list"));
    }

    @Test
    @DisplayName("a stale --expect-version is a conflict: exit 3, the versions named, nothing changed")
    void conflict() throws Exception {
        String web = file("web.json", "{\"maxReplicas\": 4}");
        config("set", "shop/web", web);
        configWithInput("{\"maxReplicas\": 5}", "set", "shop/web", "-");

        Result stale = configWithInput("{\"maxReplicas\": 6}", "set", "shop/web", "-", "--expect-version=0");

        assertEquals(
                new Result(
                        3,
                        "",
                        "zkscale config set: " + root + "/targets/shop/web is at version 1, not 0 as "
                                + "expected: another writer changed it; nothing changed\n"),
                stale);
        assertEquals("{\"maxReplicas\": 5}\n", config("get", "shop/web").out());
    }

    @Test
    @DisplayName("validate is offline: no ZooKeeper needed; a target alone or over defaults, or the defaults alone")
    void validateOffline() throws Exception {
        System.setProperty(CliSettings.CONNECT, "127.0.0.1:1");
        String defaults = file("defaults.json", "{\"maxReplicas\": 10, \"minReplicas\": 2}");
        String partial = file("web.json", "{\"targetCPUUtilizationPercentage\": 60}");
        String conflicting = file("api.json", "{\n\"maxReplicas\": 1\n}");

        assertEquals(
                new Result(0, partial + ": valid over the defaults in " + defaults + "\n", ""),
                config("validate", "--defaults", defaults, partial));
        assertEquals(new Result(0, defaults + ": valid defaults\n", ""), config("validate", "--defaults", defaults));
        assertEquals(
                new Result(2, "", "zkscale config validate: " + partial + ": maxReplicas: required\n"),
                config("validate", partial));
        assertEquals(
                new Result(
                        2,
                        "",
                        "zkscale config validate: " + conflicting + ": maxReplicas: must be >= "
                                + "minReplicas (2), got 1 (line 2)\n"),
                config("validate", "--defaults", defaults, conflicting));
        assertEquals(new Result(0, "<stdin>: valid\n", ""), configWithInput("{\"maxReplicas\": 3}", "validate", "-"));
    }

    @Test
    @DisplayName("history's diff of a config that another client wrote and no parser can hold says it was replaced")
    void diffOfUnholdable() {
        assertEquals("content replaced", ConfigPrinter.diff("{\"tolerance\": 1e2147483648}", "{\"maxReplicas\": 3}"));
        assertEquals("maxReplicas: 3 -> 4", ConfigPrinter.diff("{\"maxReplicas\": 3}", "{\"maxReplicas\": 4}"));
    }

    @Test
    @DisplayName("validate on a value no parser can hold is one line naming the field, never a stack trace")
    void validatePoisoned() throws Exception {
        String number = file(
                "number.json",
                "{\"maxReplicas\": 3,\n \"behavior\": {\"scaleUp\":\n   {\"tolerance\": 1e2147483648}}}");
        String quantity = file("quantity.json", "{\"maxReplicas\": 3,\n \"tolerance\": \"1e99999999999\"}");
        String digits = file("digits.json", "{\"maxReplicas\": 3" + "0".repeat(2000) + "}");

        assertEquals(
                new Result(
                        2,
                        "",
                        "zkscale config validate: " + number + ": behavior.scaleUp.tolerance: number out of range "
                                + "(line 3, column 18)\n"),
                config("validate", number));
        assertEquals(
                new Result(
                        2,
                        "",
                        "zkscale config validate: " + quantity + ": tolerance: must be a number, got "
                                + "\"1e99999999999\" (line 2)\n"),
                config("validate", quantity));
        assertEquals(
                new Result(
                        2,
                        "",
                        "zkscale config validate: " + digits + ": maxReplicas: not valid JSON: Number value length "
                                + "(2001) exceeds the maximum allowed (1000) (line 1, column 2)\n"),
                config("validate", digits));
    }

    static Stream<Arguments> usage() {
        return Stream.of(
                usage(
                        "no command",
                        List.of(),
                        "zkscale config: Missing required subcommand (see zkscale config --help)"),
                usage(
                        "unknown command",
                        List.of("edit", "shop/web"),
                        "zkscale config: Unmatched arguments from index 1: 'edit', 'shop/web' (see zkscale config "
                                + "--help)"),
                usage(
                        "not a Kubernetes name",
                        List.of("get", "Shop/Web"),
                        "zkscale config get: Invalid value for positional parameter at index 0 (NS/NAME|defaults): "
                                + "\"Shop/Web\": must be NAMESPACE/NAME (Kubernetes names: lower-case letters, digits, "
                                + "'-', and '.' in the name) or defaults (see zkscale config get --help)"),
                usage(
                        "a missing file",
                        List.of("set", "shop/web", "/no/such.json"),
                        "zkscale config set: cannot read /no/such.json: no such file"),
                usage(
                        "a missing argument",
                        List.of("set", "shop/web"),
                        "zkscale config set: Missing required parameter: 'FILE' (see zkscale config set --help)"),
                usage(
                        "an unknown option",
                        List.of("get", "shop/web", "--force"),
                        "zkscale config get: Unknown option: '--force' (see zkscale config get --help)"),
                usage(
                        "a version that is not a number",
                        List.of("delete", "shop/web", "--expect-version", "two"),
                        "zkscale config delete: Invalid value for option '--expect-version': 'two' is not an int (see "
                                + "zkscale config delete --help)"),
                usage(
                        "rollback without --to",
                        List.of("rollback", "shop/web"),
                        "zkscale config rollback: Missing required option: '--to=VERSION' (see zkscale config "
                                + "rollback --help)"));
    }

    private static Arguments usage(String name, List<String> args, String firstLine) {
        return Arguments.of(Named.of(name, args), firstLine);
    }

    @ParameterizedTest
    @MethodSource("usage")
    @DisplayName("a bad argument is exit 2 with the reason first")
    void usageErrors(List<String> args, String firstLine) {
        Result r = config(args.toArray(String[]::new));
        assertEquals(2, r.code());
        assertEquals("", r.out());
        assertEquals(firstLine, r.err().split("\n")[0]);
    }

    @Test
    @DisplayName("ZooKeeper unreachable is exit 1, in one line naming the setting")
    void unreachable() {
        System.setProperty(CliSettings.CONNECT, "127.0.0.1:1");
        System.setProperty(CliSettings.CONNECTION_TIMEOUT, "1s");

        assertEquals(
                new Result(
                        1,
                        "",
                        "zkscale config list: cannot connect to ZooKeeper at 127.0.0.1:1 within 1000 ms "
                                + "(setting zkscale.zookeeper.connect)\n"),
                config("list"));
    }

    @Test
    @DisplayName("a bad argument is exit 2 even when ZooKeeper is unreachable: it is read before connecting")
    void badArgumentBeforeConnecting() {
        System.setProperty(CliSettings.CONNECT, "127.0.0.1:1");
        System.setProperty(CliSettings.CONNECTION_TIMEOUT, "1s");

        Result r = config("rollback", "shop/web");
        assertEquals(2, r.code());
        assertEquals(
                "zkscale config rollback: Missing required option: '--to=VERSION' (see zkscale config rollback --help)",
                r.err().split("\n")[0]);
    }

    @Test
    @DisplayName("a root that is not a ZNode path is exit 2 naming the setting, not a stack trace")
    void badRoot() {
        System.setProperty(CliSettings.ROOT, "/zkscale//configs");

        assertEquals(
                new Result(
                        2,
                        "",
                        "zkscale config list: setting zkscale.zookeeper.root: must be a ZNode path like "
                                + "/zkscale, got \"/zkscale//configs\"\n"),
                config("list"));
    }

    @Test
    @DisplayName("identities: init as admin; the controller may read, not write; anonymous may do nothing; "
            + "credentials never from -D and never printed")
    void identities() throws Exception {
        String admin = file("admin", "admin:s3cret-admin\n");
        String controller = file("controller", "controller:s3cret-controller");
        String web = file("web.json", "{\"maxReplicas\": 4}");

        System.setProperty(Credentials.AUTH_FILE, admin);
        Result init = config("init", "--controller-auth-file", controller);
        assertEquals(0, init.code(), init.err());
        assertEquals(4, init.out().split("\n").length, init.out());
        assertEquals(0, config("set", "shop/web", web).code());
        assertTrue(config("history", "shop/web").out().split("\n")[1].contains(" admin "));

        System.setProperty(Credentials.AUTH_FILE, controller);
        assertEquals(
                new Result(
                        4,
                        "",
                        "zkscale config set: not authorized to write " + root + "/targets/shop/web as "
                                + "identity \"controller\": changing config needs the admin identity "
                                + "(zkscale.zookeeper.auth-file); "
                                + "nothing changed\n"),
                configWithInput("{\"maxReplicas\": 400}", "set", "shop/web", "-"));
        assertEquals(0, config("get", "shop/web").code());

        System.clearProperty(Credentials.AUTH_FILE);
        assertEquals(4, config("get", "shop/web").code());

        System.setProperty(Credentials.AUTH, "admin:s3cret-admin");
        Result fromCommandLine = config("list");
        assertEquals(2, fromCommandLine.code());
        assertEquals(
                "zkscale config list: setting zkscale.zookeeper.auth: not accepted as a -D system property (it "
                        + "would show in the process list); use the environment variable ZKSCALE_ZOOKEEPER_AUTH or "
                        + "zkscale.zookeeper.auth-file\n",
                fromCommandLine.err());
        System.clearProperty(Credentials.AUTH);

        System.setProperty(Credentials.AUTH_FILE, file("malformed", "s3cret-without-user"));
        Result malformed = config("list");
        assertEquals(2, malformed.code());
        assertFalse(malformed.err().contains("s3cret"), malformed.err());
        assertEquals(
                "zkscale config list: zkscale.zookeeper.auth-file " + dir.resolve("malformed")
                        + ": must hold user:password on one line\n",
                malformed.err());
    }

    @Test
    @DisplayName("lineOf finds a field, an array element's field, or nothing")
    void lineOf() {
        byte[] json =
                "{\n \"a\": 1,\n \"b\": {\"c\": [\n  {\"d\": 1},\n  {\"d\": 2}]}\n}".getBytes(StandardCharsets.UTF_8);
        assertEquals(2, Inputs.lineOf(json, "a"));
        assertEquals(3, Inputs.lineOf(json, "b.c"));
        assertEquals(5, Inputs.lineOf(json, "b.c[1].d"));
        assertEquals(5, Inputs.lineOf(json, "b.c[1]"));
        assertEquals(-1, Inputs.lineOf(json, "b.x"));
    }
}
