package dev.zkscale.cli;

import com.fasterxml.jackson.core.JsonParser;
import dev.zkscale.codec.ConfigNodes;
import dev.zkscale.codec.SnapshotCodec;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The files the commands read: a path, or {@code -} for standard input. A file that cannot be read is a
 * {@link UsageException} naming it ({@code cannot read FILE: no such file}); a problem in a config file is reported
 * with the file's name and the line of the field it names.
 */
final class Inputs {
    /** The standard input, as {@code -}. */
    static final String STDIN = "-";

    private static final Pattern FIELD =
            Pattern.compile("^([A-Za-z][A-Za-z0-9]*(?:\\[[0-9]+\\])*(?:\\.[A-Za-z][A-Za-z0-9]*(?:\\[[0-9]+\\])*)*): ");

    private Inputs() {}

    /** A file's name as messages give it ({@code <stdin>} for {@code -}) and its first bytes. */
    record Input(String name, byte[] data) {}

    /**
     * A config file (or {@code stdin} for {@code -}): at most a little more than {@link ConfigNodes#MAX_CONFIG_BYTES},
     * so that the rules can tell one too long.
     */
    static Input config(String file, InputStream stdin) throws UsageException {
        int limit = ConfigNodes.MAX_CONFIG_BYTES + 1;
        if (file.equals(STDIN)) {
            try {
                return new Input("<stdin>", stdin.readNBytes(limit));
            } catch (IOException e) {
                throw cannotRead("<stdin>", e);
            }
        }
        Path path = Path.of(file);
        if (Files.isDirectory(path)) {
            throw new UsageException("cannot read " + file + ": is a directory");
        }
        try (InputStream in = Files.newInputStream(path)) {
            return new Input(file, in.readNBytes(limit));
        } catch (IOException | RuntimeException e) {
            throw cannotRead(file, e);
        }
    }

    /** {@code file} (or {@code stdin} for {@code -}), buffered. */
    static InputStream bytes(String file, InputStream stdin) throws UsageException {
        if (file.equals(STDIN)) {
            return new BufferedInputStream(stdin);
        }
        try {
            return new BufferedInputStream(Files.newInputStream(Path.of(file)));
        } catch (IOException | RuntimeException e) {
            throw cannotRead(file, e);
        }
    }

    static UsageException cannotRead(String file, Exception e) {
        return new UsageException(
                "cannot read " + file + ": " + (e instanceof NoSuchFileException ? "no such file" : e.getMessage()));
    }

    /** {@code name: message}, with the field's line in the file appended when the message names a field found there. */
    static String located(Input input, String message) {
        Matcher m = FIELD.matcher(message);
        int line = m.find() && !message.contains(" (line ") ? lineOf(input.data(), m.group(1)) : -1;
        return Main.oneLine(input.name() + ": " + message + (line > 0 ? " (line " + line + ")" : ""));
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
}
