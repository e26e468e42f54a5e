package dev.zkscale.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zkscale.codec.InvalidInputException;
import dev.zkscale.codec.SnapshotCodec;
import dev.zkscale.codec.StrictJson;
import dev.zkscale.core.Decider;
import java.io.ByteArrayOutputStream;
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

    @Override
    public Integer call() throws UsageException {
        int ceiling = CliSettings.positive(
                CliSettings.MAX_REPLICAS_CEILING, CliSettings.read().maxReplicasCeiling());
        PrintStream out = console.out();
        try (InputStream in = Inputs.bytes(file, console.in())) {
            // Bytes split on '\n' and each line decoded on its own: a bad byte costs its line, not the run.
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            byte[] buffer = new byte[64 * 1024];
            int number = 0;
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                int from = 0;
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        line.write(buffer, from, i - from);
                        explain(line.toByteArray(), ++number, ceiling, out);
                        line.reset();
                        from = i + 1;
                    }
                }
                line.write(buffer, from, n - from);
            }
            if (line.size() > 0) {
                explain(line.toByteArray(), ++number, ceiling, out);
            }
        } catch (IOException e) {
            throw Inputs.cannotRead(file, e);
        }
        out.flush();
        return 0;
    }

    private static void explain(byte[] line, int number, int ceiling, PrintStream out) throws IOException {
        JsonNode result;
        try {
            String text = StrictJson.decode(line);
            if (text.isBlank()) {
                return;
            }
            result = explain(text, number, ceiling);
        } catch (InvalidInputException e) {
            result = error(e.getMessage(), number);
        }
        out.println(SnapshotCodec.MAPPER.writeValueAsString(result));
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
