package dev.zkscale.codec;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The one way zkscale reads JSON that people or other programs wrote (config ZNodes and files, snapshot lines): UTF-8
 * text decoded strictly, one JSON value, no field given twice, nothing after it. Whatever the decoder or the parser
 * throws becomes an {@link InvalidInputException} saying where: the byte of a bad UTF-8 sequence, the line and column
 * of a syntax error, and the field whose value could not be read (a number of 2001 digits, an exponent beyond any
 * {@code BigDecimal}).
 */
public final class StrictJson {
    private static final ObjectReader JSON = SnapshotCodec.MAPPER
            .reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION);

    /** A longer path (deep nesting) is left out of the message: the line and column say where. */
    private static final int MAX_PATH = 200;

    private StrictJson() {}

    /**
     * The bytes as UTF-8 text, or which byte is not UTF-8. A leading byte order mark (editors on Windows write one)
     * is not part of the text.
     */
    public static String decode(byte[] data) throws InvalidInputException {
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(data);
        CharBuffer out = CharBuffer.allocate(data.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            throw new InvalidInputException("not valid UTF-8 text (byte " + (in.position() + 1) + ")");
        }
        out.flip();
        if (out.hasRemaining() && out.get(0) == '\uFEFF') {
            out.position(1);
        }
        return out.toString();
    }

    /**
     * One JSON value, read strictly.
     *
     * @param root the path of the value in messages ({@code snapshot}), or empty for none
     */
    public static JsonNode parse(String text, String root) throws InvalidInputException {
        JsonParser parser = null;
        try {
            parser = JSON.createParser(text);
            return JSON.readTree(parser);
        } catch (StreamConstraintsException e) {
            // A number or string too long, nesting too deep: say whose.
            throw new InvalidInputException(field(parser, root)
                    + "not valid JSON: " + e.getOriginalMessage().replaceAll(", from `[^`]*`", "")
                    + where(e.getLocation() != null ? e.getLocation() : parser.currentTokenLocation()));
        } catch (JsonProcessingException e) {
            throw new InvalidInputException(
                    "not valid JSON: " + InvalidInputException.whyNotJson(e) + where(e.getLocation()));
        } catch (IOException e) {
            throw new InvalidInputException("cannot be read: " + e.getMessage());
        } catch (RuntimeException e) {
            // What the parser itself throws: a NumberFormatException for 1e2147483648, say.
            throw new InvalidInputException(field(parser, root)
                    + (e instanceof NumberFormatException ? "number out of range" : "cannot be read: " + e)
                    + where(parser == null ? null : parser.currentTokenLocation()));
        } finally {
            close(parser);
        }
    }

    private static void close(JsonParser parser) {
        if (parser != null) {
            try {
                parser.close();
            } catch (IOException e) {
                // reading from a String: nothing to release
            }
        }
    }

    /** {@code path: } of the value the parser was reading ({@code config.behavior.scaleUp.tolerance}), or empty. */
    private static String field(JsonParser parser, String root) {
        StringBuilder path = new StringBuilder();
        for (JsonStreamContext c = parser == null ? null : parser.getParsingContext(); c != null; c = c.getParent()) {
            if (c.inObject() && c.getCurrentName() != null) {
                path.insert(0, Fields.name(c.getCurrentName())).insert(0, '.');
            } else if (c.inArray() && c.getCurrentIndex() >= 0) {
                path.insert(0, "[" + c.getCurrentIndex() + "]");
            }
        }
        path.insert(0, root);
        String text = path.length() > 0 && path.charAt(0) == '.' ? path.substring(1) : path.toString();
        return text.isEmpty() || text.length() > MAX_PATH ? "" : text + ": ";
    }

    private static String where(JsonLocation at) {
        return at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
    }
}
