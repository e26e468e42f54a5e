package dev.zkscale.cli;

import dev.zkscale.demo.Demo;
import dev.zkscale.demo.DemoOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code zkscale demo}: the whole system on embedded parts, in one process ({@link Demo}). */
@Command(
        name = "demo",
        description = "The whole system on embedded parts, in one process (start here): two controllers autoscale a"
                + " simulated Deployment; halfway the leader fails and the other takes over.")
final class DemoCommand extends ConsoleCommand {
    private static final Pattern DURATION = Pattern.compile("(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?");
    private static final int DEFAULT_PORT = 8080;
    private static final String HTTP_PORT = "quarkus.http.port";

    @Option(
            names = "--duration",
            paramLabel = "D",
            defaultValue = "2m",
            converter = DurationConverter.class,
            description = "how long the story runs, real time: 90s, 2m, 1m30s (20s to 1h; default ${DEFAULT-VALUE})")
    Duration duration;

    @Option(
            names = "--trace",
            paramLabel = "FILE",
            description = "drive the load from a CSV of seconds,value rows, its whole span compressed into the story")
    Path trace;

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "the target config (JSON) for the Deployment web, instead of the demo's")
    Path config;

    @Option(
            names = "--port",
            paramLabel = "N",
            converter = PortConverter.class,
            description =
                    "the port of /q/metrics on 127.0.0.1 (default: quarkus.http.port, else 8080; 0: any free one)")
    Integer port;

    @Option(
            names = "--failover",
            paramLabel = "HOW",
            defaultValue = "crash",
            converter = FailoverName.class,
            description = "crash (default): the leader freezes and its ZooKeeper session expires;"
                    + " stop: it shuts down cleanly and hands over at once")
    String failover;

    @Option(names = "--verbose", description = "show the controllers' logs")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws UsageException {
        if (duration.compareTo(DemoOptions.MIN_DURATION) < 0 || duration.compareTo(DemoOptions.MAX_DURATION) > 0) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--duration: must be between 20s and 1h, got " + text(duration));
        }
        int metricsPort = port != null ? port : defaultPort();
        return Demo.run(
                new DemoOptions(
                        duration,
                        trace,
                        config,
                        metricsPort,
                        DemoOptions.Failover.valueOf(failover.toUpperCase(Locale.ROOT)),
                        verbose),
                console.out(),
                console.err());
    }

    /** {@code quarkus.http.port} as {@code zkscale run} reads it (a -D property, QUARKUS_HTTP_PORT), else 8080. */
    private static int defaultPort() throws UsageException {
        String value = CliSettings.environment().getConfigValue(HTTP_PORT).getValue();
        try {
            return value == null ? DEFAULT_PORT : new PortConverter().convert(value);
        } catch (CommandLine.TypeConversionException e) {
            throw new UsageException("setting " + HTTP_PORT + ": " + e.getMessage());
        }
    }

    private static String text(Duration d) {
        return d.toString().substring(2).toLowerCase(Locale.ROOT);
    }

    /** {@code 90}, {@code 90s}, {@code 2m}, {@code 1m30s}, {@code 1h}. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String text) {
            if (text.matches("\\d+")) {
                return Duration.ofSeconds(Long.parseLong(text));
            }
            Matcher m = DURATION.matcher(text);
            if (!m.matches() || text.isEmpty()) {
                throw new CommandLine.TypeConversionException(
                        "expected a duration like 90s, 2m or 1m30s, got \"" + text + "\"");
            }
            return Duration.ofHours(group(m, 1)).plusMinutes(group(m, 2)).plusSeconds(group(m, 3));
        }

        private static long group(Matcher m, int group) {
            return m.group(group) == null ? 0 : Long.parseLong(m.group(group));
        }
    }

    /** A TCP port, 0 to 65535. */
    static final class PortConverter implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String text) {
            try {
                int port = Integer.parseInt(text.trim());
                if (port >= 0 && port <= 65535) {
                    return port;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new CommandLine.TypeConversionException(
                    "expected a port number from 0 to 65535, got \"" + text + "\"");
        }
    }

    /**
     * {@code crash} or {@code stop}, a {@link DemoOptions.Failover} in lower case. Kept as text: picocli builds every
     * command's model when {@code zkscale run} starts, and the controller loads no class of the demo.
     */
    static final class FailoverName implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String text) {
            if (!text.equals("crash") && !text.equals("stop")) {
                throw new CommandLine.TypeConversionException("expected crash or stop, got \"" + text + "\"");
            }
            return text;
        }
    }
}
