package dev.zkscale.demo;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo's command line.
 *
 * @param duration how long the story runs in real time
 * @param trace a {@code seconds,value} CSV file driving the load, or null for the built-in curve
 * @param config a target config file for {@code web}, or null for the demo's own
 * @param port the {@code /q/metrics} port (0: any free one)
 * @param failover how the leader is stopped halfway
 * @param verbose show the controllers' and libraries' logs
 */
record DemoOptions(Duration duration, Path trace, Path config, int port, Failover failover, boolean verbose) {
    static final Duration DEFAULT_DURATION = Duration.ofMinutes(2);
    static final Duration MIN_DURATION = Duration.ofSeconds(20);
    static final Duration MAX_DURATION = Duration.ofHours(1);
    static final int DEFAULT_PORT = 8080;

    static final String USAGE = String.join(
            "\n",
            "usage: zkscale demo [--duration 2m] [--trace FILE] [--config FILE] [--port 8080] [--failover crash|stop]"
                    + " [--verbose]",
            "  --duration D     how long the story runs, real time: 90s, 2m, 1m30s (20s to 1h; default 2m)",
            "  --trace FILE     drive the load from a CSV of seconds,value rows, its whole span compressed into the",
            "                   story",
            "  --config FILE    the target config (JSON) for the Deployment web, instead of the demo's",
            "  --port N         the port of /q/metrics on 127.0.0.1 (default: quarkus.http.port, else 8080; 0: any",
            "                   free one)",
            "  --failover HOW   crash (default): the leader freezes and its ZooKeeper session expires; stop: it shuts",
            "                   down cleanly and hands over at once",
            "  --verbose        show the controllers' logs");

    private static final Pattern DURATION = Pattern.compile("(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?");

    /** How the leader goes away halfway. */
    enum Failover {
        /** Its passes stop and its ZooKeeper connection is cut: the standby leads once the session expires. */
        CRASH,
        /** It closes, as on SIGTERM: the latch is released and the standby leads at once. */
        STOP
    }

    static DemoOptions parse(List<String> args) throws DemoException {
        Duration duration = DEFAULT_DURATION;
        Path trace = null;
        Path config = null;
        int port = defaultPort();
        Failover failover = Failover.CRASH;
        boolean verbose = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            switch (name) {
                case "--verbose" -> verbose = true;
                case "--duration", "--trace", "--config", "--port", "--failover" -> {
                    if (value == null) {
                        if (i + 1 >= args.size()) {
                            throw new DemoException(name + " needs a value\n" + USAGE);
                        }
                        value = args.get(++i);
                    }
                    switch (name) {
                        case "--duration" -> duration = duration(value);
                        case "--trace" -> trace = Path.of(value);
                        case "--config" -> config = Path.of(value);
                        case "--port" -> port = port(value, "--port");
                        default -> failover = failover(value);
                    }
                }
                default -> throw new DemoException("unknown option \"" + arg + "\"\n" + USAGE);
            }
        }
        return new DemoOptions(duration, trace, config, port, failover, verbose);
    }

    private static Duration duration(String text) throws DemoException {
        Duration d = null;
        if (text.matches("\\d+")) {
            d = Duration.ofSeconds(Long.parseLong(text));
        } else {
            Matcher m = DURATION.matcher(text);
            if (m.matches() && !text.isEmpty()) {
                d = Duration.ofHours(group(m, 1)).plusMinutes(group(m, 2)).plusSeconds(group(m, 3));
            }
        }
        if (d == null) {
            throw new DemoException("--duration: expected a duration like 90s, 2m or 1m30s, got \"" + text + "\"");
        }
        if (d.compareTo(MIN_DURATION) < 0 || d.compareTo(MAX_DURATION) > 0) {
            throw new DemoException("--duration: must be between 20s and 1h, got " + text);
        }
        return d;
    }

    private static long group(Matcher m, int group) {
        return m.group(group) == null ? 0 : Long.parseLong(m.group(group));
    }

    private static int port(String text, String what) throws DemoException {
        try {
            int port = Integer.parseInt(text.trim());
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new DemoException(what + ": expected a port number from 0 to 65535, got \"" + text + "\"");
    }

    private static Failover failover(String text) throws DemoException {
        return switch (text) {
            case "crash" -> Failover.CRASH;
            case "stop" -> Failover.STOP;
            default -> throw new DemoException("--failover: expected crash or stop, got \"" + text + "\"");
        };
    }

    /** {@code quarkus.http.port} as {@code zkscale run} takes it (a -D property, else QUARKUS_HTTP_PORT), else 8080. */
    private static int defaultPort() throws DemoException {
        String value = System.getProperty("quarkus.http.port");
        String source = "quarkus.http.port";
        if (value == null) {
            value = System.getenv("QUARKUS_HTTP_PORT");
            source = "QUARKUS_HTTP_PORT";
        }
        return value == null ? DEFAULT_PORT : port(value, source);
    }
}
