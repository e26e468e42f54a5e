package dev.zkscale.codec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Lines of bytes, ending at {@code \n}, {@code \r\n} or {@code \r} as {@link java.io.BufferedReader}'s do, each
 * decoded as strict UTF-8 on its own (a byte order mark before the text dropped) and held only up to a limit: a bad
 * byte or an overlong line costs its own line, never the heap or the lines after it.
 */
public final class LineReader {
    private final InputStream in;
    private final int maxBytes;
    private final byte[] buffer = new byte[64 * 1024];
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private int position;
    private int end;
    private int number;
    private boolean afterCarriageReturn;

    /** @param maxBytes the longest line held; a longer one is skipped to its end and refused */
    public LineReader(InputStream in, int maxBytes) {
        this.in = in;
        this.maxBytes = maxBytes;
    }

    /**
     * The next line's text, or null after the last.
     *
     * @throws InvalidInputException when this line is not UTF-8 or is too long; the next call reads the next line
     */
    public String next() throws IOException, InvalidInputException {
        line.reset();
        long length = 0;
        boolean read = false;
        while (true) {
            if (position == end) {
                end = Math.max(0, in.read(buffer));
                position = 0;
                if (end == 0) {
                    if (!read) {
                        return null;
                    }
                    break;
                }
            }
            if (afterCarriageReturn) {
                afterCarriageReturn = false;
                if (buffer[position] == '\n') {
                    position++;
                    continue;
                }
            }
            read = true;
            int i = position;
            while (i < end && buffer[i] != '\n' && buffer[i] != '\r') {
                i++;
            }
            length += i - position;
            if (length <= maxBytes) {
                line.write(buffer, position, i - position);
            }
            if (i < end) {
                afterCarriageReturn = buffer[i] == '\r';
                position = i + 1;
                break;
            }
            position = i;
        }
        number++;
        if (length > maxBytes) {
            throw new InvalidInputException("line too long: " + length + " bytes, the limit is " + maxBytes);
        }
        return StrictJson.decode(line.toByteArray());
    }

    /** The number of the line {@link #next} read last, from 1. */
    public int number() {
        return number;
    }
}
