package dev.zkscale.app;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.PropertiesConfigSourceLoader;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link ZkscaleSettings} read by SmallRye Config outside the Quarkus runtime, with the mapping and the duration
 * syntax {@code zkscale run} uses, so that every default lives in the mapping's {@code @WithDefault}: the offline
 * commands read what {@code run} would read here; the demo and the tests give their own values over the defaults.
 */
public final class StandaloneSettings {
    /** Above system properties (400) and environment variables (300): a value given in code wins. */
    private static final int OVERRIDES_ORDINAL = 500;
    /** Where Quarkus puts {@code application.properties}: below environment variables. */
    private static final int APPLICATION_PROPERTIES_ORDINAL = 250;
    /** SmallRye's SRCFG00039, a value that does not convert: the setting and why (naming the value). */
    private static final Pattern NOT_CONVERTED = Pattern.compile(
            "The config property (\\S+) with the config value \".*\" threw an Exception whilst being converted"
                    + " (?:SRCFG\\d+: )?(.*)");

    private StandaloneSettings() {}

    /**
     * The configuration {@code zkscale run} would read in this process: {@code -D} system properties, environment
     * variables ({@code ZKSCALE_ZOOKEEPER_CONNECT}, ...), {@code application.properties} and the mapping's defaults.
     *
     * @throws IllegalArgumentException in one line naming each setting whose value does not convert
     */
    public static SmallRyeConfig environment() {
        return build(builder()
                .addDefaultSources()
                .withProfile("prod")
                .withSources(PropertiesConfigSourceLoader.inClassPath(
                        "application.properties",
                        APPLICATION_PROPERTIES_ORDINAL,
                        StandaloneSettings.class.getClassLoader())));
    }

    /**
     * The mapping's defaults with {@code overrides} (property names such as {@code zkscale.zookeeper.connect}) over
     * them; nothing from the environment, so that the demo and the tests run the same everywhere.
     *
     * @throws IllegalArgumentException in one line naming each setting whose value does not convert
     */
    public static ZkscaleSettings of(Map<String, String> overrides) {
        return build(builder().withSources(new PropertiesConfigSource(overrides, "overrides", OVERRIDES_ORDINAL)))
                .getConfigMapping(ZkscaleSettings.class);
    }

    private static SmallRyeConfigBuilder builder() {
        return new SmallRyeConfigBuilder()
                .addDefaultInterceptors()
                .withConverter(Duration.class, 200, new DurationConverter())
                .withMapping(ZkscaleSettings.class);
    }

    private static SmallRyeConfig build(SmallRyeConfigBuilder builder) {
        try {
            return builder.build();
        } catch (ConfigValidationException e) {
            List<String> problems = new ArrayList<>();
            for (int i = 0; i < e.getProblemCount(); i++) {
                String message = e.getProblem(i).getMessage();
                Matcher m = NOT_CONVERTED.matcher(message);
                problems.add(m.find() ? "setting " + m.group(1) + ": " + m.group(2) : message.replaceAll("\\s+", " "));
            }
            throw new IllegalArgumentException(String.join("; ", problems), e);
        }
    }
}
