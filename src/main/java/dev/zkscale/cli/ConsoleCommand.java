package dev.zkscale.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;

/** A command that reads and writes the {@link Main.Console} it is given, with {@code -h}, {@code --help}. */
abstract class ConsoleCommand implements Callable<Integer> {
    @Mixin
    Main.HelpOption help;

    /** Set by {@link Main} when it builds the command, before it runs. */
    Main.Console console;
}
