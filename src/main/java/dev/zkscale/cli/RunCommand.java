package dev.zkscale.cli;

import io.quarkus.runtime.Quarkus;
import picocli.CommandLine.Command;

/** {@code zkscale run}: the controller, in the Quarkus runtime, until it is stopped. */
@Command(
        name = "run",
        description = {
            "The controller (the default): needs a Kubernetes API and ZooKeeper.",
            "Settings are -D properties or environment variables (ZKSCALE_ZOOKEEPER_CONNECT, ...)."
        })
final class RunCommand extends ConsoleCommand {
    @Override
    public Integer call() {
        Quarkus.run();
        return 0;
    }
}
