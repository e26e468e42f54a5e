package dev.zkscale.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import dev.zkscale.codec.InvalidInputException;
import dev.zkscale.codec.SnapshotCodec;
import dev.zkscale.coordination.ConfigNodes;
import dev.zkscale.coordination.ConfigStore;
import dev.zkscale.coordination.ConfigStore.Change;
import dev.zkscale.coordination.ConfigStore.Key;
import dev.zkscale.coordination.ConfigStoreException;
import dev.zkscale.coordination.Credentials;
import dev.zkscale.coordination.ZooKeeperClients;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.utils.PathUtils;

/**
 * {@code zkscale config ...}: reads and writes the config ZNodes through {@link ConfigStore}, and validates config
 * files offline with the controller's own rules ({@link ConfigNodes}). It runs without the Quarkus runtime: no port, no
 * cluster. Connection and identity come from the {@code zkscale.zookeeper.*} settings ({@link Settings}); credentials
 * never from the command line.
 *
 * <p>Every failure is one line on standard error naming what is wrong and where (file, line, field, ZNode), with an
 * exit status a script can act on: 1 failed (not found, ZooKeeper unreachable), 2 bad argument or invalid config,
 * 3 conflict (another writer changed the ZNode: read again and retry), 4 not authorized. Nothing is changed then.
 */
final class ConfigCommand {
    static final int FAILED = 1;
    static final int USAGE = 2;
    static final int CONFLICT = 3;
    static final int NOT_AUTHORIZED = 4;

    static final String USAGE_TEXT = String.join(
            "\n",
            "usage: zkscale config COMMAND",
            "  list                                  every config ZNode with its version and whether it is valid",
            "  get NS/NAME|defaults                  the JSON as stored (stdout) and its version (stderr)",
            "  set NS/NAME|defaults FILE|- [--expect-version N]",
            "                                        validate, then write with compare-and-set on the version",
            "  validate [--defaults FILE] [FILE]     validate a target (over the defaults), or the defaults; offline",
            "  delete NS/NAME|defaults [--expect-version N]",
            "  history NS/NAME|defaults              every accepted change: when, by whom, what changed",
            "  rollback NS/NAME|defaults --to VERSION [--expect-version N]",
            "  init --controller-auth-file FILE      set the ACLs: admin (this identity) all, controller read",
            "settings: zkscale.zookeeper.connect, .root, .auth-file (user:password), .connection-timeout,",
            "  .history-limit");

    private static final Pattern FIELD =
            Pattern.compile("^([A-Za-z][A-Za-z0-9]*(?:\\[[0-9]+\\])*(?:\\.[A-Za-z][A-Za-z0-9]*(?:\\[[0-9]+\\])*)*): ");
    private static final Map<String, Set<String>> OPTIONS = Map.of(
            "list",
            Set.of(),
            "get",
            Set.of(),
            "set",
            Set.of("--expect-version"),
            "validate",
            Set.of("--defaults"),
            "delete",
            Set.of("--expect-version"),
            "history",
            Set.of(),
            "rollback",
            Set.of("--to", "--expect-version"),
            "init",
            Set.of("--controller-auth-file"));

    private final InputStream stdin;
    private final PrintStream out;
    private final PrintStream err;

    private ConfigCommand(InputStream stdin, PrintStream out, PrintStream err) {
        this.stdin = stdin;
        this.out = out;
        this.err = err;
    }

    static int run(List<String> args, InputStream stdin, PrintStream out, PrintStream err) {
        String command = args.isEmpty() ? "" : args.get(0);
        String prefix = "zkscale config" + (OPTIONS.containsKey(command) ? " " + command : "") + ": ";
        try {
            if (command.equals("help") || command.equals("--help") || command.equals("-h")) {
                out.println(USAGE_TEXT);
                return 0;
            }
            if (!OPTIONS.containsKey(command)) {
                throw new UsageException(
                        (command.isEmpty() ? "a command is needed" : "unknown command \"" + command + "\"") + "\n"
                                + USAGE_TEXT);
            }
            Args a = Args.parse(command, args.subList(1, args.size()), OPTIONS.get(command));
            return new ConfigCommand(stdin, out, err).dispatch(command, a);
        } catch (UsageException e) {
            err.println(prefix + e.getMessage());
            return USAGE;
        } catch (ConfigStoreException e) {
            err.println(prefix + oneLine(e.getMessage()));
            return switch (e.kind()) {
                case INVALID -> USAGE;
                case CONFLICT -> CONFLICT;
                case NOT_AUTHORIZED -> NOT_AUTHORIZED;
                case NOT_FOUND, FAILED -> FAILED;
            };
        } finally {
            out.flush();
            err.flush();
        }
    }

    private int dispatch(String command, Args a) throws UsageException, ConfigStoreException {
        if (command.equals("validate")) {
            return validate(a);
        }
        a.positionals(command.equals("list") || command.equals("init") ? 0 : command.equals("set") ? 2 : 1);
        // Read every local input before connecting: a bad argument never costs a connection.
        Key key = a.positional.isEmpty() ? null : Key.parse(a.positional.get(0));
        byte[] data = command.equals("set") ? read(a.positional.get(1), stdin).data() : null;
        Credentials controller = command.equals("init") ? controllerCredentials(a) : null;
        OptionalInt expected = a.integer("--expect-version");
        int to = command.equals("rollback")
                ? a.integer("--to").orElseThrow(() -> new UsageException("rollback needs --to VERSION"))
                : 0;
        try (Session s = Session.open()) {
            ConfigStore store = s.store;
            switch (command) {
                case "list" -> list(store);
                case "get" -> get(store, key);
                case "set" -> {
                    try {
                        printWritten(store.set(key, data, expected), null);
                    } catch (ConfigStoreException e) {
                        throw e.kind() == ConfigStoreException.Kind.INVALID ? invalid(a.positional.get(1), data, e) : e;
                    }
                }
                case "delete" -> {
                    ConfigStore.Written w = store.delete(key, expected);
                    out.println(key + ": deleted (was version " + w.fromVersion() + ")"
                            + (key.isDefaults() ? "" : "; no longer managed, its replicas stay as they are"));
                }
                case "history" -> history(store, key);
                case "rollback" -> printWritten(store.rollback(key, to, expected), to);
                case "init" -> store.init(controller.digestId()).forEach(out::println);
                default -> throw new IllegalStateException(command);
            }
        }
        return 0;
    }

    private void list(ConfigStore store) throws ConfigStoreException {
        List<ConfigStore.Listed> listed = store.list();
        if (listed.isEmpty()) {
            err.println("no config ZNodes under " + Settings.string(Settings.ROOT, "/zkscale"));
            return;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "VERSION", "STATUS"});
        for (ConfigStore.Listed l : listed) {
            rows.add(new String[] {
                l.key().toString(),
                Integer.toString(l.version()),
                oneLine(l.problem() == null ? "valid" : "invalid: " + l.problem())
            });
        }
        table(rows);
    }

    private void get(ConfigStore store, Key key) throws ConfigStoreException {
        ConfigStore.Versioned v = store.get(key)
                .orElseThrow(() -> new ConfigStoreException(
                        ConfigStoreException.Kind.NOT_FOUND, "no config ZNode " + store.path(key)));
        String text = v.text();
        out.print(text.endsWith("\n") ? text : text + "\n");
        err.println(v.path() + " version " + v.version() + ", modified " + v.modified());
    }

    private void printWritten(ConfigStore.Written w, Integer rollbackTo) {
        String restoring = rollbackTo == null ? "" : ", restoring version " + rollbackTo;
        if (!w.changed()) {
            out.println(w.key() + ": unchanged (version " + w.version() + ")");
        } else if (w.fromVersion() == null) {
            out.println(w.key() + ": created, version " + w.version() + restoring);
        } else {
            out.println(w.key() + ": version " + w.fromVersion() + " -> " + w.version() + restoring);
        }
    }

    private void history(ConfigStore store, Key key) throws ConfigStoreException {
        List<Change> changes = store.history(key);
        if (changes.isEmpty()) {
            err.println("no recorded changes of " + key + " (only changes made with zkscale config are recorded)");
            return;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"TIME", "BY", "VERSION", "CHANGE"});
        Change previous = null;
        for (Change c : changes) {
            if (previous != null
                    && previous.toVersion() != null
                    && c.fromVersion() != null
                    && !previous.toVersion().equals(c.fromVersion())) {
                rows.add(new String[] {
                    "?",
                    "?",
                    previous.toVersion() + " -> " + c.fromVersion(),
                    "changed outside zkscale config: " + diff(previous.to(), c.from())
                });
            }
            String versions = (c.fromVersion() == null ? "" : c.fromVersion() + " -> ")
                    + (c.toVersion() == null ? "(deleted)" : c.toVersion().toString());
            String what = switch (c.action()) {
                case CREATE -> "created: " + compact(c.to());
                case SET -> diff(c.from(), c.to());
                case DELETE -> "deleted";
                case ROLLBACK ->
                    "rollback to version " + c.rollbackTo() + ": "
                            + (c.from() == null ? "created: " + compact(c.to()) : diff(c.from(), c.to()));
            };
            rows.add(new String[] {c.time().toString(), c.identity(), versions, oneLine(what)});
            previous = c;
        }
        table(rows);
    }

    private int validate(Args a) throws UsageException {
        a.positionals(-1);
        if (a.positional.size() > 1) {
            throw new UsageException("validate takes at most one FILE, got " + a.positional.size());
        }
        Optional<String> defaultsFile = a.option("--defaults");
        if (a.positional.isEmpty() && defaultsFile.isEmpty()) {
            throw new UsageException("validate needs a FILE, or --defaults FILE");
        }
        Input defaults = defaultsFile.isPresent() ? read(defaultsFile.get(), stdin) : null;
        com.fasterxml.jackson.databind.node.ObjectNode defaultsJson;
        try {
            defaultsJson = ConfigNodes.defaults(defaults == null ? null : defaults.data());
        } catch (InvalidInputException e) {
            throw new UsageException(located(defaults.name(), defaults.data(), e.getMessage()));
        }
        if (a.positional.isEmpty()) {
            out.println(defaults.name() + ": valid defaults");
            return 0;
        }
        Input target = read(a.positional.get(0), stdin);
        try {
            ConfigNodes.target(defaultsJson, target.data(), "target");
        } catch (InvalidInputException e) {
            throw new UsageException(located(target.name(), target.data(), e.getMessage()));
        }
        out.println(target.name() + ": valid" + (defaults == null ? "" : " over the defaults in " + defaults.name()));
        return 0;
    }

    private static ConfigStoreException invalid(String file, byte[] data, ConfigStoreException e) {
        return new ConfigStoreException(e.kind(), located(name(file), data, e.getMessage()));
    }

    /** {@code name: message}, with the field's line in the file appended when the message names a field found there. */
    static String located(String name, byte[] data, String message) {
        Matcher m = FIELD.matcher(message);
        int line = m.find() ? lineOf(data, m.group(1)) : -1;
        return oneLine(name + ": " + message + (line > 0 ? " (line " + line + ")" : ""));
    }

    /** The line on which the field at {@code path} ({@code a.b[0].c}) appears in the JSON {@code data}, or -1. */
    static int lineOf(byte[] data, String path) {
        String pointer = "/" + path.replace(".", "/").replaceAll("\\[([0-9]+)\\]", "/$1");
        try (JsonParser p = SnapshotCodec.MAPPER.getFactory().createParser(data)) {
            // The parser's own path: a field at its name, an array element at its first token.
            while (p.nextToken() != null) {
                if (p.getParsingContext().pathAsPointer().toString().equals(pointer)) {
                    return p.currentTokenLocation().getLineNr();
                }
            }
        } catch (IOException | RuntimeException e) {
            // no line then
        }
        return -1;
    }

    record Input(String name, byte[] data) {}

    /** A config file, or standard input for {@code -}; at most a little more than the limit is read. */
    static Input read(String file, InputStream stdin) throws UsageException {
        try {
            if (file.equals("-")) {
                return new Input("<stdin>", stdin.readNBytes(ConfigNodes.MAX_CONFIG_BYTES + 1));
            }
            Path path = Path.of(file);
            if (Files.isDirectory(path)) {
                throw new UsageException("cannot read " + file + ": is a directory");
            }
            try (InputStream in = Files.newInputStream(path)) {
                return new Input(file, in.readNBytes(ConfigNodes.MAX_CONFIG_BYTES + 1));
            }
        } catch (NoSuchFileException e) {
            throw new UsageException("cannot read " + file + ": no such file");
        } catch (IOException | RuntimeException e) {
            throw new UsageException("cannot read " + file + ": " + e.getMessage());
        }
    }

    private static String name(String file) {
        return file.equals("-") ? "<stdin>" : file;
    }

    private static Credentials controllerCredentials(Args a) throws UsageException {
        String file = a.option("--controller-auth-file")
                .orElseThrow(() -> new UsageException(
                        "init needs --controller-auth-file FILE (the controller's user:password, e.g. its Secret)"));
        try {
            return Credentials.read(Path.of(file));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage().replace(Credentials.AUTH_FILE, "--controller-auth-file"));
        }
    }

    /** What changed between two configs, field by field ({@code a.b: 1 -> 2}); or "content replaced" if not JSON. */
    static String diff(String before, String after) {
        Map<String, String> a = flatten(before);
        Map<String, String> b = flatten(after);
        if (a == null || b == null) {
            return "content replaced";
        }
        List<String> changes = new ArrayList<>();
        Set<String> fields = new TreeSet<>(a.keySet());
        fields.addAll(b.keySet());
        for (String f : fields) {
            String x = a.get(f);
            String y = b.get(f);
            if (!Objects.equals(x, y)) {
                changes.add(f + ": " + (x == null ? "(unset)" : x) + " -> " + (y == null ? "(unset)" : y));
            }
        }
        return changes.isEmpty() ? "no field changed" : String.join(", ", changes);
    }

    private static Map<String, String> flatten(String text) {
        if (text == null) {
            return null;
        }
        try {
            JsonNode json = SnapshotCodec.MAPPER.readTree(text);
            if (json == null || !json.isObject()) {
                return null;
            }
            Map<String, String> fields = new LinkedHashMap<>();
            flatten("", json, fields);
            return fields;
        } catch (IOException e) {
            return null;
        }
    }

    private static void flatten(String path, JsonNode json, Map<String, String> into) {
        if (json.isObject() && json.size() > 0) {
            Iterator<Map.Entry<String, JsonNode>> it = json.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                flatten(path.isEmpty() ? e.getKey() : path + "." + e.getKey(), e.getValue(), into);
            }
        } else {
            into.put(path, json.toString());
        }
    }

    private static String compact(String text) {
        try {
            return SnapshotCodec.MAPPER.readTree(text).toString();
        } catch (IOException | RuntimeException e) {
            return String.valueOf(text);
        }
    }

    private static String oneLine(String text) {
        return text == null ? "" : text.replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }

    private void table(List<String[]> rows) {
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length - 1; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(i == row.length - 1 ? row[i] : String.format("%-" + widths[i] + "s  ", row[i]));
            }
            out.println(line.toString().stripTrailing());
        }
    }

    /** Positional arguments and {@code --name value} (or {@code --name=value}) options, checked against the allowed. */
    private static final class Args {
        final String command;
        final List<String> positional = new ArrayList<>();
        final Map<String, String> options = new HashMap<>();

        private Args(String command) {
            this.command = command;
        }

        static Args parse(String command, List<String> args, Set<String> allowed) throws UsageException {
            Args a = new Args(command);
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                if (arg.startsWith("--")) {
                    int eq = arg.indexOf('=');
                    String name = eq < 0 ? arg : arg.substring(0, eq);
                    if (!allowed.contains(name)) {
                        throw new UsageException("unknown option " + name
                                + (allowed.isEmpty()
                                        ? ""
                                        : " (" + command + " takes " + String.join(", ", new TreeSet<>(allowed))
                                                + ")"));
                    }
                    if (eq < 0 && i + 1 >= args.size()) {
                        throw new UsageException(name + " needs a value");
                    }
                    if (a.options.put(name, eq < 0 ? args.get(++i) : arg.substring(eq + 1)) != null) {
                        throw new UsageException(name + " given twice");
                    }
                } else {
                    a.positional.add(arg);
                }
            }
            return a;
        }

        /** Checks the number of positional arguments ({@code -1}: any). */
        void positionals(int count) throws UsageException {
            if (count >= 0 && positional.size() != count) {
                String what = switch (command) {
                    case "set" -> "NS/NAME|defaults and FILE (or - for standard input)";
                    case "list", "init" -> "no arguments";
                    default -> "NS/NAME|defaults";
                };
                throw new UsageException(command + " takes " + what + ", got "
                        + (positional.isEmpty() ? "none" : String.join(" ", positional)));
            }
        }

        Optional<String> option(String name) {
            return Optional.ofNullable(options.get(name));
        }

        OptionalInt integer(String name) throws UsageException {
            String value = options.get(name);
            if (value == null) {
                return OptionalInt.empty();
            }
            try {
                return OptionalInt.of(Integer.parseInt(value.trim()));
            } catch (NumberFormatException e) {
                throw new UsageException(name + ": must be a ZNode version (a 32-bit integer), got \"" + value + "\"");
            }
        }
    }

    /**
     * A connected client and a store on it, closed together. ZooKeeper's and Curator's own logging is silenced while
     * open: this command reports every failure itself, in one line, and its standard output stays the data.
     */
    private static final class Session implements AutoCloseable {
        private static final String[] LOGGERS = {"org.apache.zookeeper", "org.apache.curator"};
        private final Level[] levels = new Level[LOGGERS.length];
        private CuratorFramework client;
        private ConfigStore store;

        static Session open() throws UsageException, ConfigStoreException {
            String connect = Settings.string(Settings.CONNECT, "localhost:2181");
            String root = Settings.string(Settings.ROOT, "/zkscale");
            Duration session = Settings.duration(Settings.SESSION_TIMEOUT, Duration.ofSeconds(10));
            Duration timeout = Settings.duration(Settings.CONNECTION_TIMEOUT, Duration.ofSeconds(5));
            int historyLimit = Settings.historyLimit();
            Optional<Credentials> credentials = Settings.credentials();
            try {
                PathUtils.validatePath(root);
            } catch (IllegalArgumentException e) {
                throw new UsageException(
                        "setting " + Settings.ROOT + ": must be a ZNode path like /zkscale, got \"" + root + "\"");
            }
            Session s = new Session();
            s.quiet();
            try {
                s.client = ZooKeeperClients.start(connect, session, timeout, credentials.orElse(null));
                if (!s.client.blockUntilConnected(Math.toIntExact(timeout.toMillis()), TimeUnit.MILLISECONDS)) {
                    throw new ConfigStoreException(
                            ConfigStoreException.Kind.FAILED,
                            "cannot connect to ZooKeeper at " + connect + " within " + timeout.toMillis()
                                    + " ms (setting " + Settings.CONNECT + ")");
                }
                s.store = new ConfigStore(s.client, root, credentials, historyLimit);
                return s;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                s.close();
                throw new ConfigStoreException(ConfigStoreException.Kind.FAILED, "interrupted while connecting");
            } catch (ConfigStoreException | RuntimeException e) {
                s.close();
                throw e;
            }
        }

        private void quiet() {
            for (int i = 0; i < LOGGERS.length; i++) {
                java.util.logging.Logger logger = java.util.logging.Logger.getLogger(LOGGERS[i]);
                levels[i] = logger.getLevel();
                logger.setLevel(Level.OFF);
            }
        }

        @Override
        public void close() {
            if (client != null) {
                client.close();
            }
            for (int i = 0; i < LOGGERS.length; i++) {
                java.util.logging.Logger.getLogger(LOGGERS[i]).setLevel(levels[i]);
            }
        }
    }
}
