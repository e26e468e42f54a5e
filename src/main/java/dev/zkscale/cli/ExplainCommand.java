package dev.zkscale.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zkscale.codec.InvalidInputException;
import dev.zkscale.codec.SnapshotCodec;
import dev.zkscale.core.Decider;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code zkscale explain [FILE]}: decision snapshots in, one per line (JSON Lines), decisions out, one per line, in
 * order. A line that is not a valid snapshot gives {@code {"error": ..., "line": N}} and the run goes on; blank lines
 * are skipped. Pure: no network, no ports, no clock.
 */
@Command(
        name = "explain",
        description = {
            "Decision snapshots (JSON Lines) in, decisions out, one per line; offline.",
            "A bad line gives {\"error\": ..., \"line\": N} and the run goes on.",
            "Setting: zkscale.max-replicas-ceiling caps every target's maxReplicas."
        })
final class ExplainCommand extends ConsoleCommand {
    @Parameters(
            arity = "0..1",
            paramLabel = "FILE",
            defaultValue = Inputs.STDIN,
            description = "the snapshots; - (the default) for standard input")
    String file;

    @Override
    public Integer call() throws UsageException {
        int ceiling = CliSettings.positive(
                CliSettings.MAX_REPLICAS_CEILING, CliSettings.read().maxReplicasCeiling());
        PrintStream out = console.out();
        try (BufferedReader in = Inputs.lines(file, console.in())) {
            String line;
            int number = 0;
            while ((line = in.readLine()) != null) {
                number++;
                if (!line.isBlank()) {
                    out.println(SnapshotCodec.MAPPER.writeValueAsString(explain(line, number, ceiling)));
                }
            }
        } catch (IOException e) {
            throw Inputs.cannotRead(file, e);
        }
        out.flush();
        return 0;
    }

    static JsonNode explain(String line, int number, int ceiling) {
        try {
            return SnapshotCodec.write(
                    Decider.decide(SnapshotCodec.read(SnapshotCodec.MAPPER.readTree(line), ceiling)));
        } catch (JsonProcessingException e) {
            return error("not valid JSON: " + InvalidInputException.whyNotJson(e), number);
        } catch (InvalidInputException e) {
            return error(e.getMessage(), number);
        } catch (RuntimeException e) {
            // A bug must cost one line, not the run: the input stays explainable line by line.
            return error("internal error: " + e, number);
        }
    }

    private static ObjectNode error(String message, int line) {
        return SnapshotCodec.MAPPER.createObjectNode().put("error", message).put("line", line);
    }
}
