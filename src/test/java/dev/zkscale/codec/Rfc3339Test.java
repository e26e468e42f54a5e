package dev.zkscale.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class Rfc3339Test {

    static Stream<Instant> edges() {
        return Stream.of(
                Instant.EPOCH,
                Instant.parse("2026-01-01T00:10:00Z"),
                Instant.parse("2024-02-29T23:59:59Z"),
                Instant.parse("2026-06-01T12:00:00.5Z"),
                Instant.parse("2026-06-01T12:00:00.000001Z"),
                Instant.parse("2026-06-01T12:00:00.120000001Z"),
                Instant.parse("9999-12-31T23:59:59.999999999Z"),
                // outside 1970 to 9999: Instant.toString itself
                Instant.parse("1969-12-31T23:59:59Z"),
                Instant.parse("+10000-01-01T00:00:00Z"),
                Instant.MIN,
                Instant.MAX);
    }

    @ParameterizedTest
    @MethodSource("edges")
    @DisplayName("times are written as Instant.toString writes them")
    void formatsEdges(Instant time) {
        assertEquals(time.toString(), Rfc3339.format(time));
    }

    @Test
    @DisplayName("times are written as Instant.toString writes them, over 100,000 random instants and fractions")
    void formatsRandom() {
        Random random = new Random(42);
        for (int i = 0; i < 100_000; i++) {
            long seconds = Math.floorMod(random.nextLong(), 253_402_300_800L);
            int nanos = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1_000;
                default -> random.nextInt(1_000_000_000);
            };
            Instant time = Instant.ofEpochSecond(seconds, nanos);
            assertEquals(time.toString(), Rfc3339.format(time));
        }
    }

    @Test
    @DisplayName("a time written again, from the recent texts, is still its own, while others take the same slots")
    void formatsAgain() {
        Instant start = Instant.parse("2026-12-03T11:00:00Z");
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 5_000; i++) {
                Instant time = start.plusSeconds(i % 1_500).plusMillis(i % 7 == 0 ? 250 : 0);
                assertEquals(time.toString(), Rfc3339.format(time));
            }
        }
    }

    @Test
    @DisplayName("a written time reads back to the same instant")
    void roundTrips() {
        Instant time = Instant.parse("2026-03-04T05:06:07.089Z");
        assertEquals(time, Rfc3339.parse(Rfc3339.format(time)));
    }
}
