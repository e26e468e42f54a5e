package dev.zkscale.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Line ends, bad bytes and overlong lines, each costing only its own line. */
class LineReaderTest {
    private static final int LIMIT = 8;

    static Stream<Arguments> lines() {
        return Stream.of(
                row("LF, no end at the last line", "a\nb\n\nc", "1 a", "2 b", "3 ", "4 c"),
                row("CRLF", "a\r\nb\r\n", "1 a", "2 b"),
                row("CR alone", "a\rb\r", "1 a", "2 b"),
                row("CR then blank CRLF", "a\r\r\nb", "1 a", "2 ", "3 b"),
                row("nothing", ""),
                row("a byte order mark", "\uFEFFa\nb", "1 a", "2 b"),
                row(
                        "a line over the limit, and the next",
                        "123456789\nok\n",
                        "1 ! line too long: 9 bytes, " + "the limit is 8",
                        "2 ok"),
                row("a bad byte", "a\n\u00ff\nb", "1 a", "2 ! not valid UTF-8 text (byte 1)", "3 b"));
    }

    private static Arguments row(String name, String input, String... lines) {
        byte[] bytes = input.replace("\u00ff", "\u0000").getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = bytes[i] == 0 ? (byte) 0xff : bytes[i];
        }
        return Arguments.of(Named.of(name, bytes), List.of(lines));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    @DisplayName("lines end at LF, CRLF or CR; a bad byte or a long line is an error for that line only")
    void lines(byte[] input, List<String> expected) throws IOException {
        assertEquals(expected, read(input, LIMIT));
    }

    @Test
    @DisplayName("a CRLF split across two reads of the buffer is one line end")
    void crlfAcrossBuffers() throws IOException {
        String first = "x".repeat(64 * 1024 - 1);
        byte[] input = (first + "\r\nb").getBytes(StandardCharsets.UTF_8);
        assertEquals(List.of("1 " + first, "2 b"), read(input, 1 << 20));
    }

    private static List<String> read(byte[] input, int limit) throws IOException {
        LineReader reader = new LineReader(new ByteArrayInputStream(input), limit);
        List<String> out = new ArrayList<>();
        while (true) {
            try {
                String line = reader.next();
                if (line == null) {
                    return out;
                }
                out.add(reader.number() + " " + line);
            } catch (InvalidInputException e) {
                out.add(reader.number() + " ! " + e.getMessage());
            }
        }
    }
}
