package dev.zkscale.cli;

import dev.zkscale.coordination.ConfigStore;
import dev.zkscale.coordination.Credentials;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Settings read outside the Quarkus runtime (the offline commands), found as Quarkus finds them: a {@code -D} system
 * property, else the environment variable Quarkus maps it to ({@code zkscale.max-replicas-ceiling} is
 * {@code ZKSCALE_MAX_REPLICAS_CEILING}), else the default.
 */
final class Settings {
    static final String MAX_REPLICAS_CEILING = "zkscale.max-replicas-ceiling";
    static final int DEFAULT_MAX_REPLICAS_CEILING = 1000;
    static final String CONNECT = "zkscale.zookeeper.connect";
    static final String ROOT = "zkscale.zookeeper.root";
    static final String SESSION_TIMEOUT = "zkscale.zookeeper.session-timeout";
    static final String CONNECTION_TIMEOUT = "zkscale.zookeeper.connection-timeout";
    static final String HISTORY_LIMIT = "zkscale.zookeeper.history-limit";

    /** Quarkus' short form of a duration: a number of seconds, or a number with a unit. */
    private static final Pattern SHORT_DURATION = Pattern.compile("([0-9]+)(ms|s|m|h|d)?");

    private Settings() {}

    static String get(String name) {
        String value = System.getProperty(name);
        if (value == null) {
            value = System.getenv(name.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_"));
        }
        return value;
    }

    static String string(String name, String fallback) {
        String value = get(name);
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    /** The ceiling on every target's {@code maxReplicas}; a value that is not a positive integer is an error. */
    static int maxReplicasCeiling() throws UsageException {
        return positive(MAX_REPLICAS_CEILING, DEFAULT_MAX_REPLICAS_CEILING);
    }

    /** Config changes kept per config ZNode ({@code zkscale config}, the demo). */
    static int historyLimit() throws UsageException {
        return positive(HISTORY_LIMIT, ConfigStore.DEFAULT_HISTORY_LIMIT);
    }

    private static int positive(String name, int fallback) throws UsageException {
        String value = get(name);
        if (value == null) {
            return fallback;
        }
        try {
            int number = Integer.parseInt(value.trim());
            if (number >= 1) {
                return number;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException("setting " + name + ": must be a positive integer, got \"" + value + "\"");
    }

    /** A duration as Quarkus reads one: {@code 10} (seconds), {@code 500ms}, {@code 5s}, {@code 2m}, or ISO-8601. */
    static Duration duration(String name, Duration fallback) throws UsageException {
        String value = get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        String text = value.trim();
        Matcher m = SHORT_DURATION.matcher(text);
        try {
            Duration d;
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                String unit = m.group(2) == null ? "s" : m.group(2);
                d = switch (unit) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            } else {
                d = Duration.parse(text.toUpperCase(Locale.ROOT));
            }
            if (!d.isNegative() && !d.isZero()) {
                return d;
            }
        } catch (DateTimeParseException | ArithmeticException e) {
            // reported below
        }
        throw new UsageException(
                "setting " + name + ": must be a duration such as 5s, 500ms or PT5S, got \"" + value + "\"");
    }

    /** The ZooKeeper identity: {@code zkscale.zookeeper.auth} (not as -D) or {@code zkscale.zookeeper.auth-file}. */
    static Optional<Credentials> credentials() throws UsageException {
        try {
            return Credentials.fromSettings(
                    Optional.ofNullable(get(Credentials.AUTH)), Optional.ofNullable(get(Credentials.AUTH_FILE)));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }
}
