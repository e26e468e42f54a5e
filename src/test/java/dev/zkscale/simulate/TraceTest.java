package dev.zkscale.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.zkscale.codec.InvalidInputException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The CSV forms a trace may take, and its step hold. */
class TraceTest {
    static Stream<Arguments> forms() {
        return Stream.of(
                Arguments.of(Named.of("no header", "0,1\n60,2.5\n120,0\n")),
                Arguments.of(Named.of("a header", "seconds,value\n0,1\n60,2.5\n120,0\n")),
                Arguments.of(Named.of(
                        "a header in another order, with other columns",
                        "host,value,\"seconds\"\nweb,1,0\nweb,2.5,60\nweb,0,120\n")),
                Arguments.of(
                        Named.of("CRLF line ends and blank lines", "seconds,value\r\n\r\n0,1\r\n60,2.5\r\n120,0\r\n")),
                Arguments.of(Named.of("old Mac CR line ends", "seconds,value\r0,1\r60,2.5\r120,0\r")),
                Arguments.of(Named.of("spaces around the fields", "0 , 1\n60, 2.5\n 120 ,0\n")),
                Arguments.of(Named.of(
                        "a UTF-8 byte order mark before the header", "\uFEFFseconds,value\n0,1\n60,2.5\n120,0\n")),
                Arguments.of(Named.of("a UTF-8 byte order mark before the first row", "\uFEFF0,1\n60,2.5\n120,0\n")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    @DisplayName("every form reads as the same three rows")
    void forms(String csv) throws Exception {
        Trace trace = Trace.csv("t.csv", new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)));
        assertEquals(3, trace.rows());
        assertEquals(List.of(0.0, 120.0, 2.5), List.of(trace.first(), trace.last(), trace.max()));
        assertEquals(
                List.of(1.0, 1.0, 2.5, 2.5, 0.0),
                Stream.of(-5.0, 59.9, 60.0, 119.0, 500.0).map(trace::valueAt).toList());
    }

    static Stream<Arguments> refused() {
        byte[] notUtf8 = "seconds,value\n0,1\n60,\u00e9\n".getBytes(StandardCharsets.ISO_8859_1);
        byte[] longLine = ("0,1\n60," + "1".repeat(Trace.MAX_LINE_BYTES) + "\n").getBytes(StandardCharsets.UTF_8);
        return Stream.of(
                Arguments.of(
                        Named.of("a byte that is not UTF-8", notUtf8), "t.csv: line 3: not valid UTF-8 text (byte 4)"),
                Arguments.of(
                        Named.of("a line longer than the limit, not held", longLine),
                        "t.csv: line 2: line too long: 1048579 bytes, the limit is 1048576"),
                Arguments.of(
                        Named.of("a header only", "seconds,value\r\n".getBytes(StandardCharsets.UTF_8)),
                        "t.csv: no rows (seconds,value)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    @DisplayName("a bad line is refused naming the file and its line")
    void refused(byte[] csv, String message) {
        InvalidInputException e =
                assertThrows(InvalidInputException.class, () -> Trace.csv("t.csv", new ByteArrayInputStream(csv)));
        assertEquals(message, e.getMessage());
    }

    @Test
    @DisplayName("--from and --to keep the rows between them, both inclusive")
    void cut() throws Exception {
        Trace trace = Trace.csv(
                "t.csv", new ByteArrayInputStream("0,1\n60,2\n120,3\n180,4\n".getBytes(StandardCharsets.UTF_8)));
        Trace cut = trace.cut(60.0, 120.0);
        assertEquals(List.of(2, 60.0, 120.0, 3.0), List.of(cut.rows(), cut.first(), cut.last(), cut.max()));
        Trace from = trace.cut(30.0, null);
        assertEquals(List.of(3, 60.0, 180.0), List.of(from.rows(), from.first(), from.last()));
    }
}
