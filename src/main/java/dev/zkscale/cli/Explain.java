package dev.zkscale.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zkscale.codec.InvalidInputException;
import dev.zkscale.codec.SnapshotCodec;
import dev.zkscale.core.Decider;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code zkscale explain [FILE]}: decision snapshots in, one per line (JSON Lines), decisions out, one per line, in
 * order. A line that is not a valid snapshot gives {@code {"error": ..., "line": N}} and the run goes on; blank lines
 * are skipped. Pure: no network, no ports, no clock.
 */
final class Explain {
    private Explain() {}

    static int run(List<String> args, InputStream stdin, PrintStream out) throws UsageException {
        if (args.size() > 1) {
            throw new UsageException(
                    "explain takes at most one FILE (or - for standard input), got " + args.size() + " arguments");
        }
        int ceiling = Settings.maxReplicasCeiling();
        String file = args.isEmpty() ? "-" : args.get(0);
        try (BufferedReader in = open(file, stdin)) {
            String line;
            int number = 0;
            while ((line = in.readLine()) != null) {
                number++;
                if (!line.isBlank()) {
                    out.println(SnapshotCodec.MAPPER.writeValueAsString(explain(line, number, ceiling)));
                }
            }
        } catch (IOException e) {
            throw new UsageException("cannot read " + file + ": " + e.getMessage());
        }
        out.flush();
        return 0;
    }

    private static BufferedReader open(String file, InputStream stdin) throws UsageException {
        if (file.equals("-")) {
            return new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8));
        }
        try {
            return Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw new UsageException("cannot read " + file + ": " + describe(e));
        }
    }

    private static String describe(Exception e) {
        return e instanceof java.nio.file.NoSuchFileException ? "no such file" : String.valueOf(e.getMessage());
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
