package dev.zkscale.cli;

/**
 * Settings read outside the Quarkus runtime (the offline commands), found as Quarkus finds them: a {@code -D} system
 * property, else the environment variable Quarkus maps it to ({@code zkscale.max-replicas-ceiling} is
 * {@code ZKSCALE_MAX_REPLICAS_CEILING}), else the default.
 */
final class Settings {
    static final String MAX_REPLICAS_CEILING = "zkscale.max-replicas-ceiling";
    static final int DEFAULT_MAX_REPLICAS_CEILING = 1000;

    private Settings() {
    }

    static String get(String name) {
        String value = System.getProperty(name);
        if (value == null) {
            value = System.getenv(name.toUpperCase().replaceAll("[^A-Z0-9]", "_"));
        }
        return value;
    }

    /** The ceiling on every target's {@code maxReplicas}; a value that is not a positive integer is an error. */
    static int maxReplicasCeiling() throws UsageException {
        String value = get(MAX_REPLICAS_CEILING);
        if (value == null) {
            return DEFAULT_MAX_REPLICAS_CEILING;
        }
        try {
            int ceiling = Integer.parseInt(value.trim());
            if (ceiling >= 1) {
                return ceiling;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException("setting " + MAX_REPLICAS_CEILING + ": must be a positive integer, got \"" + value
                + "\"");
    }
}
