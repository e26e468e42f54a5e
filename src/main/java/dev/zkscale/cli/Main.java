package dev.zkscale.cli;

import dev.zkscale.coordination.ConfigStoreException;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The {@code zkscale} executable (picocli): {@code run} (the default), {@code demo}, {@code explain},
 * {@code config} and {@code simulate}. The offline commands run without starting the Quarkus runtime, so they open no
 * port and read no cluster.
 *
 * <p>Exit status: 0 done; 1 failed (one line on standard error); 2 a bad argument, setting or input file (one line,
 * nothing changed); {@code config} adds 3 (conflict) and 4 (not authorized).
 */
@QuarkusMain
@Command(
        name = "zkscale",
        description = "A horizontal autoscaler for Kubernetes: HPA-exact CPU decisions, one leader through ZooKeeper."
                + " With no command: run.",
        subcommands = {
            RunCommand.class,
            DemoCommand.class,
            ExplainCommand.class,
            ConfigCommand.class,
            SimulateCommand.class,
            HelpCommand.class
        })
public final class Main implements Callable<Integer> {
    static final int FAILED = 1;
    static final int USAGE = 2;

    @Mixin
    HelpOption help;

    private Main() {}

    /** {@code -h}, {@code --help}: every command has it ({@code zkscale help COMMAND} says the same). */
    static final class HelpOption {
        @Option(
                names = {"-h", "--help"},
                usageHelp = true,
                description = "Show this help and exit.")
        boolean help;
    }

    /** The streams a command reads and writes: the process's, or a test's. */
    record Console(InputStream in, PrintStream out, PrintStream err) {}

    public static void main(String... args) {
        System.exit(execute(System.in, System.out, System.err, args));
    }

    /** Runs {@code zkscale ARGS} on these streams and returns its exit status. */
    public static int execute(InputStream in, PrintStream out, PrintStream err, String... args) {
        Console console = new Console(in, out, err);
        try {
            return new CommandLine(new Main(), new Factory(console))
                    .setOut(writer(out))
                    .setErr(writer(err))
                    .setParameterExceptionHandler((e, ignored) -> {
                        String name = e.getCommandLine().getCommandSpec().qualifiedName();
                        err.println(name + ": " + oneLine(e.getMessage()) + " (see " + name + " --help)");
                        return USAGE;
                    })
                    .setExecutionExceptionHandler((e, command, ignored) -> {
                        String name = command.getCommandSpec().qualifiedName();
                        err.println(name + ": " + oneLine(failure(e)));
                        return exitCode(e);
                    })
                    .execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** With no command: {@code run}. */
    @Override
    public Integer call() {
        return new RunCommand().call();
    }

    private static String failure(Exception e) {
        return e instanceof UsageException || e instanceof ConfigStoreException ? e.getMessage() : "failed: " + e;
    }

    private static int exitCode(Exception e) {
        if (e instanceof UsageException) {
            return USAGE;
        }
        if (e instanceof ConfigStoreException c) {
            return ConfigCommand.exitCode(c.kind());
        }
        return FAILED;
    }

    static String oneLine(String text) {
        return text == null ? "" : text.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }

    private static PrintWriter writer(PrintStream stream) {
        return new PrintWriter(stream, true, Charset.defaultCharset());
    }

    /** Builds the commands, handing those that read or write the streams their {@link Console}. */
    private record Factory(Console console) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            K command = CommandLine.defaultFactory().create(type);
            if (command instanceof ConsoleCommand c) {
                c.console = console;
            }
            return command;
        }
    }
}
