package dev.zkscale.demo;

import java.util.Locale;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/** The demo's logging: the story is the output, so the logs are off unless {@code --verbose}. */
final class DemoLogging {
    /** Held, so that its level is not lost with a collected logger. */
    private static final Logger MOCK_SERVER_LOG = Logger.getLogger("io.fabric8.mockwebserver");

    private DemoLogging() {}

    /**
     * The story is the output: every log is off, unless {@code verbose}, when INFO and above go to standard error
     * (outside the Quarkus runtime nothing else would print them).
     *
     * @return the handler added, to remove at the end, or null
     */
    static Handler start(boolean verbose) {
        Logger root = Logger.getLogger("");
        if (!verbose) {
            root.setLevel(Level.OFF);
            return null;
        }
        root.setLevel(Level.INFO);
        // The mock API server logs every request at INFO: thousands of lines that drown the controllers'.
        MOCK_SERVER_LOG.setLevel(Level.WARNING);
        Handler console =
                new StreamHandler(System.err, new Formatter() {
                    @Override
                    public String format(LogRecord r) {
                        String text = formatMessage(r);
                        if (r.getThrown() != null) {
                            text += ": " + r.getThrown();
                        }
                        return String.format(
                                Locale.ROOT,
                                "%tT %-7s [%s] %s%n",
                                r.getMillis(),
                                r.getLevel(),
                                r.getLoggerName(),
                                text);
                    }
                }) {
                    @Override
                    public synchronized void publish(LogRecord record) {
                        super.publish(record);
                        flush();
                    }
                };
        console.setLevel(Level.INFO);
        root.addHandler(console);
        return console;
    }
}
