package dev.zkscale.codec;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * RFC 3339 times as zkscale reads and writes them, fast for the form the API server writes ({@code
 * 2026-01-01T00:10:00Z}): {@code DateTimeFormatter} takes microseconds and kilobytes for each, and a pass reads and
 * writes several per pod.
 */
public final class Rfc3339 {
    private static final Instant FIRST = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LAST = Instant.parse("9999-12-31T23:59:59.999999999Z");

    /**
     * The texts of recently formatted times, by a hash of the time: a pass writes the same few times for every target
     * (its {@code now}, the history's pass times, the metrics' scrape time). Read and written without a lock from any
     * thread: an entry is immutable, so a reader sees a whole one or an older one, and checks its time.
     */
    private static final Formatted[] RECENT = new Formatted[1024];

    /** A formatted time: its text, and the same as a JSON string whose quoted UTF-8 Jackson keeps once made. */
    private record Formatted(long seconds, int nanos, String text, SerializedString json) {}

    private Rfc3339() {}

    /**
     * The instant of {@code yyyy-MM-ddTHH:mm:ssZ}, read directly; null for any other text (a fraction, an offset, a
     * non-digit), which the caller gives to its full parser.
     *
     * @throws DateTimeException when the form is right but the time impossible (a month 13, an hour 24, which
     *     {@link Instant#parse} would take as the next day)
     */
    public static Instant parseCommon(String text) {
        if (text.length() == 20
                && text.charAt(4) == '-'
                && text.charAt(7) == '-'
                && text.charAt(10) == 'T'
                && text.charAt(13) == ':'
                && text.charAt(16) == ':'
                && text.charAt(19) == 'Z') {
            int year = digits(text, 0, 4);
            int month = digits(text, 5, 7);
            int day = digits(text, 8, 10);
            int hour = digits(text, 11, 13);
            int minute = digits(text, 14, 16);
            int second = digits(text, 17, 19);
            if (year >= 1 && month >= 0 && day >= 0 && hour >= 0 && minute >= 0 && second >= 0) {
                return LocalDateTime.of(year, month, day, hour, minute, second).toInstant(ZoneOffset.UTC);
            }
        }
        return null;
    }

    /**
     * An RFC 3339 UTC time, as {@link Instant#parse} reads it, in the years 0001 to 9999 that RFC 3339 can write (not
     * {@code +999999999-01-01T00:00:00Z}, which {@link Instant#parse} takes).
     */
    static Instant parse(String text) {
        Instant common = parseCommon(text);
        if (common != null) {
            return common;
        }
        Instant time =
                text.length() > 4 && text.charAt(4) == '-' && digits(text, 0, 4) >= 1 ? Instant.parse(text) : null;
        if (time == null || time.isBefore(FIRST) || time.isAfter(LAST)) {
            throw new DateTimeException("not an RFC 3339 time of the years 0001 to 9999: " + text);
        }
        return time;
    }

    /**
     * The text {@link Instant#toString()} gives ({@code 2026-01-01T00:10:00Z}, with 3, 6 or 9 digits of fraction
     * when there is one), written directly for years 1970 to 9999: {@code Instant.toString} goes through a formatter
     * and allocates about 2 KB a call, most of what writing a decision record entry allocated.
     */
    public static String format(Instant time) {
        return formatted(time).text();
    }

    /**
     * Writes {@code time} as a JSON string field, as {@link #format} formats it; a time written before is copied as
     * the bytes it was written as (a pass writes the same few times for every target).
     */
    static void write(JsonGenerator out, String field, Instant time) throws IOException {
        out.writeFieldName(field);
        if (time == null) {
            out.writeNull();
        } else {
            out.writeString(formatted(time).json());
        }
    }

    private static Formatted formatted(Instant time) {
        long seconds = time.getEpochSecond();
        int nanos = time.getNano();
        int slot = (Long.hashCode(seconds) * 31 + nanos) & (RECENT.length - 1);
        Formatted recent = RECENT[slot];
        if (recent != null && recent.seconds() == seconds && recent.nanos() == nanos) {
            return recent;
        }
        String text = seconds < 0 || seconds >= 253_402_300_800L ? time.toString() : text(seconds, nanos);
        Formatted formatted = new Formatted(seconds, nanos, text, new SerializedString(text));
        RECENT[slot] = formatted;
        return formatted;
    }

    private static String text(long seconds, int nanos) {
        LocalDate date = LocalDate.ofEpochDay(seconds / 86_400);
        int ofDay = (int) (seconds % 86_400);
        int fraction = nanos == 0 ? 0 : nanos % 1_000_000 == 0 ? 3 : nanos % 1_000 == 0 ? 6 : 9;
        char[] out = new char[20 + (fraction == 0 ? 0 : fraction + 1)];
        put(out, 0, date.getYear(), 4);
        out[4] = '-';
        put(out, 5, date.getMonthValue(), 2);
        out[7] = '-';
        put(out, 8, date.getDayOfMonth(), 2);
        out[10] = 'T';
        put(out, 11, ofDay / 3600, 2);
        out[13] = ':';
        put(out, 14, ofDay / 60 % 60, 2);
        out[16] = ':';
        put(out, 17, ofDay % 60, 2);
        if (fraction > 0) {
            out[19] = '.';
            put(out, 20, nanos / (int) Math.pow(10, 9 - fraction), fraction);
        }
        out[out.length - 1] = 'Z';
        return new String(out);
    }

    /** The decimal number in {@code text[from, to)}, or -1 when a character is not a digit. */
    private static int digits(String text, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static void put(char[] out, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            out[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }
}
