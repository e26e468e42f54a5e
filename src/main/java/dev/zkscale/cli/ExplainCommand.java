package dev.zkscale.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zkscale.codec.InvalidInputException;
import dev.zkscale.codec.LineReader;
import dev.zkscale.codec.SnapshotCodec;
import dev.zkscale.core.Decider;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code zkscale explain [FILE]}: decision snapshots in, one per line (JSON Lines), decisions out, one per line, in
 * order. A line that is not a valid snapshot (not UTF-8, not JSON, a field given twice, anything after the object, a
 * field out of its rules) gives {@code {"error": ..., "line": N}} and the run goes on; blank lines are skipped. Pure:
 * no network, no ports, no clock.
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

    /**
     * A longer line is refused without being held: a snapshot of 10,000 pods takes a few megabytes, and a file with
     * no line end must not take the heap.
     */
    static final int MAX_LINE_BYTES = 16 * 1024 * 1024;

    @Override
    public Integer call() throws UsageException {
        int ceiling = CliSettings.positive(
                CliSettings.MAX_REPLICAS_CEILING, CliSettings.read().maxReplicasCeiling());
        PrintStream out = console.out();
        try (InputStream in = Inputs.bytes(file, console.in())) {
            // Each line decoded on its own: a bad byte or an overlong line costs its line, not the run.
            LineReader lines = new LineReader(in, MAX_LINE_BYTES);
            while (true) {
                JsonNode result;
                try {
                    String text = lines.next();
                    if (text == null) {
                        break;
                    }
                    if (text.isBlank()) {
                        continue;
                    }
                    result = explain(text, lines.number(), ceiling);
                } catch (InvalidInputException e) {
                    result = error(e.getMessage(), lines.number());
                }
                out.println(SnapshotCodec.MAPPER.writeValueAsString(result));
            }
        } catch (IOException e) {
            throw Inputs.cannotRead(file, e);
        }
        out.flush();
        return 0;
    }

    static JsonNode explain(String line, int number, int ceiling) {
        try {
            return SnapshotCodec.write(Decider.decide(SnapshotCodec.read(line, ceiling)));
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
