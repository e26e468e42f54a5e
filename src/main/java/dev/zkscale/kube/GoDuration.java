package dev.zkscale.kube;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Parses Go's {@code time.Duration} text ({@code "30s"}, {@code "1m0s"}, {@code "15.5s"}, {@code "1h2m3.5s"},
 * {@code "500ms"}), as {@code metrics.k8s.io} writes a PodMetrics {@code window}.
 *
 * <p>fabric8's own {@code io.fabric8.kubernetes.api.model.Duration} cannot be used for this: it reads only whole
 * numbers per unit, so {@code "15.5s"} becomes 5 seconds. Hence this small parser, following Go's {@code
 * time.ParseDuration}.
 */
final class GoDuration {

    private static final BigDecimal NANOS_PER_SECOND = BigDecimal.valueOf(1_000_000_000L);

    private GoDuration() {}

    /**
     * The duration in whole seconds, rounded down (toward negative infinity).
     *
     * @throws IllegalArgumentException when {@code text} is not a Go duration
     */
    static long seconds(String text) {
        return nanos(text).divide(NANOS_PER_SECOND, 0, RoundingMode.FLOOR).longValueExact();
    }

    /** The duration in nanoseconds (fractions of a nanosecond kept). */
    static BigDecimal nanos(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty duration");
        }
        int i = 0;
        boolean negative = false;
        if (text.charAt(0) == '-' || text.charAt(0) == '+') {
            negative = text.charAt(0) == '-';
            i++;
        }
        if (text.substring(i).equals("0")) {
            return BigDecimal.ZERO;
        }
        if (i == text.length()) {
            throw new IllegalArgumentException("invalid duration \"" + text + "\"");
        }
        BigDecimal total = BigDecimal.ZERO;
        while (i < text.length()) {
            int start = i;
            while (i < text.length() && (Character.isDigit(text.charAt(i)) || text.charAt(i) == '.')) {
                i++;
            }
            String number = text.substring(start, i);
            if (number.isEmpty() || number.equals(".") || number.indexOf('.') != number.lastIndexOf('.')) {
                throw new IllegalArgumentException("invalid duration \"" + text + "\"");
            }
            int unitStart = i;
            while (i < text.length() && !Character.isDigit(text.charAt(i)) && text.charAt(i) != '.') {
                i++;
            }
            String unit = text.substring(unitStart, i);
            total = total.add(
                    new BigDecimal(number.endsWith(".") ? number + "0" : number).multiply(unitNanos(unit, text)));
        }
        return negative ? total.negate() : total;
    }

    private static BigDecimal unitNanos(String unit, String text) {
        return switch (unit) {
            case "ns" -> BigDecimal.ONE;
            case "us", "\u00b5s", "\u03bcs" -> BigDecimal.valueOf(1_000L);
            case "ms" -> BigDecimal.valueOf(1_000_000L);
            case "s" -> NANOS_PER_SECOND;
            case "m" -> BigDecimal.valueOf(60_000_000_000L);
            case "h" -> BigDecimal.valueOf(3_600_000_000_000L);
            case "" -> throw new IllegalArgumentException("missing unit in duration \"" + text + "\"");
            default -> throw new IllegalArgumentException("unknown unit \"" + unit + "\" in duration \"" + text + "\"");
        };
    }
}
