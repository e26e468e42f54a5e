package dev.zkscale.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zkscale.codec.ConfigNodes;
import dev.zkscale.codec.InvalidInputException;
import dev.zkscale.coordination.ConfigStore;
import dev.zkscale.coordination.ConfigStore.Change;
import dev.zkscale.coordination.ConfigStore.Key;
import dev.zkscale.coordination.ConfigStoreException;
import dev.zkscale.coordination.Credentials;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code zkscale config ...}: reads and writes the config ZNodes through {@link ConfigStore}, and validates config
 * files offline with the controller's own rules ({@link ConfigNodes}). It runs without the Quarkus runtime: no port, no
 * cluster. Connection and identity come from the {@code zkscale.zookeeper.*} settings ({@link CliSettings});
 * credentials never from the command line. Every local input (arguments, files) is read before connecting: a bad
 * argument never costs a connection.
 *
 * <p>Every failure is one line on standard error naming what is wrong and where (file, line, field, ZNode), with an
 * exit status a script can act on: 1 failed (not found, ZooKeeper unreachable), 2 bad argument or invalid config,
 * 3 conflict (another writer changed the ZNode: read again and retry), 4 not authorized. Nothing is changed then.
 */
@Command(
        name = "config",
        description = {
            "Read and write the config ZNodes.",
            "Settings: zkscale.zookeeper.connect, zkscale.zookeeper.root, zkscale.zookeeper.auth-file (a file"
                    + " holding user:password), zkscale.zookeeper.connection-timeout, zkscale.zookeeper.history-limit.",
            "Exit status: 1 failed, 2 bad argument or invalid config, 3 conflict, 4 not authorized."
        },
        subcommands = {
            ConfigCommand.ListCommand.class,
            ConfigCommand.GetCommand.class,
            ConfigCommand.SetCommand.class,
            ConfigCommand.ValidateCommand.class,
            ConfigCommand.DeleteCommand.class,
            ConfigCommand.HistoryCommand.class,
            ConfigCommand.RollbackCommand.class,
            ConfigCommand.InitCommand.class,
            HelpCommand.class
        })
final class ConfigCommand {
    @CommandLine.Mixin
    Main.HelpOption help;

    static final int CONFLICT = 3;
    static final int NOT_AUTHORIZED = 4;

    private ConfigCommand() {}

    static int exitCode(ConfigStoreException.Kind kind) {
        return switch (kind) {
            case INVALID -> Main.USAGE;
            case CONFLICT -> CONFLICT;
            case NOT_AUTHORIZED -> NOT_AUTHORIZED;
            case NOT_FOUND, FAILED -> Main.FAILED;
        };
    }

    /** {@code NS/NAME} or {@code defaults}, as {@link Key#parse} reads it. */
    static final class KeyConverter implements CommandLine.ITypeConverter<Key> {
        @Override
        public Key convert(String text) {
            try {
                return Key.parse(text);
            } catch (ConfigStoreException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** A subcommand that reads its local inputs, then connects and works on the store. */
    abstract static class Connected extends ConsoleCommand {
        @Override
        public Integer call() throws UsageException, ConfigStoreException {
            readInputs();
            try (ConfigSession session = ConfigSession.open(CliSettings.read())) {
                run(session, new ConfigPrinter(console.out()));
            }
            return 0;
        }

        /** Reads the files this subcommand takes, before connecting. */
        void readInputs() throws UsageException {}

        abstract void run(ConfigSession session, ConfigPrinter printer) throws ConfigStoreException;
    }

    /** A subcommand on one config ZNode. */
    abstract static class OnKey extends Connected {
        @Parameters(
                index = "0",
                paramLabel = "NS/NAME|defaults",
                converter = KeyConverter.class,
                description = "a target's config ZNode, or the defaults")
        Key key;
    }

    /** A subcommand that writes with compare-and-set on the version. */
    abstract static class Writing extends OnKey {
        @Option(
                names = "--expect-version",
                paramLabel = "N",
                description = "write only if the ZNode is at this version (as get printed it)")
        Integer expectVersion;

        OptionalInt expected() {
            return expectVersion == null ? OptionalInt.empty() : OptionalInt.of(expectVersion);
        }
    }

    @Command(name = "list", description = "Every config ZNode with its version and whether it is valid.")
    static final class ListCommand extends Connected {
        @Override
        void run(ConfigSession session, ConfigPrinter printer) throws ConfigStoreException {
            List<ConfigStore.Listed> listed = session.store().list();
            if (listed.isEmpty()) {
                console.err().println("no config ZNodes under " + session.root());
            } else {
                printer.list(listed);
            }
        }
    }

    @Command(name = "get", description = "The JSON as stored (standard output) and its version (standard error).")
    static final class GetCommand extends OnKey {
        @Override
        void run(ConfigSession session, ConfigPrinter printer) throws ConfigStoreException {
            ConfigStore store = session.store();
            ConfigStore.Versioned v = store.get(key)
                    .orElseThrow(() -> new ConfigStoreException(
                            ConfigStoreException.Kind.NOT_FOUND, "no config ZNode " + store.path(key)));
            String text = v.text();
            console.out().print(text.endsWith("\n") ? text : text + "\n");
            console.err().println(v.path() + " version " + v.version() + ", modified " + v.modified());
        }
    }

    @Command(name = "set", description = "Validate, then write with compare-and-set on the version.")
    static final class SetCommand extends Writing {
        @Parameters(index = "1", paramLabel = "FILE", description = "the config (JSON); - for standard input")
        String file;

        private Inputs.Input input;

        @Override
        void readInputs() throws UsageException {
            input = Inputs.config(file, console.in());
        }

        @Override
        void run(ConfigSession session, ConfigPrinter printer) throws ConfigStoreException {
            try {
                printer.written(session.store().set(key, input.data(), expected()), null);
            } catch (ConfigStoreException e) {
                throw e.kind() == ConfigStoreException.Kind.INVALID
                        ? new ConfigStoreException(e.kind(), Inputs.located(input, e.getMessage()))
                        : e;
            }
        }
    }

    @Command(
            name = "validate",
            description = "Validate a target config (over the defaults), or the defaults alone; offline.")
    static final class ValidateCommand extends ConsoleCommand {
        @Parameters(arity = "0..1", paramLabel = "FILE", description = "a target config (JSON); - for standard input")
        String file;

        @Option(names = "--defaults", paramLabel = "FILE", description = "the defaults (JSON) the target is read over")
        String defaultsFile;

        @Override
        public Integer call() throws UsageException {
            if (file == null && defaultsFile == null) {
                throw new UsageException("validate needs a FILE, or --defaults FILE");
            }
            Inputs.Input defaults = defaultsFile == null ? null : Inputs.config(defaultsFile, console.in());
            ObjectNode defaultsJson;
            try {
                defaultsJson = ConfigNodes.defaults(defaults == null ? null : defaults.data());
            } catch (InvalidInputException e) {
                throw new UsageException(Inputs.located(defaults, e.getMessage()));
            }
            if (file == null) {
                console.out().println(defaults.name() + ": valid defaults");
                return 0;
            }
            Inputs.Input target = Inputs.config(file, console.in());
            try {
                ConfigNodes.target(defaultsJson, target.data(), "target");
            } catch (InvalidInputException e) {
                throw new UsageException(Inputs.located(target, e.getMessage()));
            }
            console.out()
                    .println(target.name() + ": valid"
                            + (defaults == null ? "" : " over the defaults in " + defaults.name()));
            return 0;
        }
    }

    @Command(name = "delete", description = "Delete a config ZNode: the target is no longer managed.")
    static final class DeleteCommand extends Writing {
        @Override
        void run(ConfigSession session, ConfigPrinter printer) throws ConfigStoreException {
            printer.deleted(session.store().delete(key, expected()));
        }
    }

    @Command(name = "history", description = "Every accepted change: when, by whom, what changed.")
    static final class HistoryCommand extends OnKey {
        @Override
        void run(ConfigSession session, ConfigPrinter printer) throws ConfigStoreException {
            List<Change> changes = session.store().history(key);
            if (changes.isEmpty()) {
                console.err()
                        .println("no recorded changes of " + key
                                + " (only changes made with zkscale config are recorded)");
            } else {
                printer.history(changes);
            }
        }
    }

    @Command(name = "rollback", description = "Write a version from the history again.")
    static final class RollbackCommand extends Writing {
        @Option(names = "--to", required = true, paramLabel = "VERSION", description = "the version to restore")
        int to;

        @Override
        void run(ConfigSession session, ConfigPrinter printer) throws ConfigStoreException {
            printer.written(session.store().rollback(key, to, expected()), to);
        }
    }

    @Command(name = "init", description = "Set the ACLs: admin (this identity) all, controller read.")
    static final class InitCommand extends Connected {
        @Option(
                names = "--controller-auth-file",
                required = true,
                paramLabel = "FILE",
                description = "the controller's user:password, e.g. its Secret")
        Path controllerAuthFile;

        private Credentials controller;

        @Override
        void readInputs() throws UsageException {
            try {
                controller = Credentials.read(controllerAuthFile);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage().replace(Credentials.AUTH_FILE, "--controller-auth-file"));
            }
        }

        @Override
        void run(ConfigSession session, ConfigPrinter printer) throws ConfigStoreException {
            session.store().init(controller.digestId()).forEach(console.out()::println);
        }
    }
}
