package dev.zkscale.cli;

import dev.zkscale.demo.Demo;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code zkscale} executable: dispatches the subcommands of CONTRACT section 2. The offline commands run without
 * starting the Quarkus runtime, so they open no port and read no cluster.
 */
@QuarkusMain
public final class Main {
    private static final String USAGE = String.join(
            "\n",
            "usage: zkscale [COMMAND]",
            "  demo [OPTIONS]  the whole system on embedded parts, in one process: start here (demo --help)",
            "  run             the controller (the default): needs a Kubernetes API and ZooKeeper",
            "  explain [FILE]  decision snapshots (JSON Lines) in, decisions out; offline",
            "  simulate ...    replay a load trace through configs on a virtual clock (simulate --help)",
            "  config ...      read and write the config ZNodes (zkscale config help)");

    private Main() {}

    public static void main(String... args) {
        System.exit(run(Arrays.asList(args)));
    }

    static int run(List<String> args) {
        String command = args.isEmpty() ? "run" : args.get(0);
        List<String> rest = args.isEmpty() ? List.of() : args.subList(1, args.size());
        try {
            switch (command) {
                case "run":
                    if (!rest.isEmpty()) {
                        throw new UsageException("run takes no arguments (settings are -D properties or environment "
                                + "variables), got " + rest);
                    }
                    Quarkus.run();
                    return 0;
                case "demo":
                    return Demo.run(rest, System.out, System.err);
                case "explain":
                    return Explain.run(rest, System.in, System.out);
                case "simulate":
                    return SimulateCommand.commandLine().execute(rest.toArray(String[]::new));
                case "config":
                    return ConfigCommand.run(rest, System.in, System.out, System.err);
                case "help":
                case "--help":
                case "-h":
                    System.out.println(USAGE);
                    return 0;
                default:
                    throw new UsageException("unknown command \"" + command + "\"\n" + USAGE);
            }
        } catch (UsageException e) {
            System.err.println("zkscale " + command + ": " + e.getMessage());
            return 2;
        }
    }
}
