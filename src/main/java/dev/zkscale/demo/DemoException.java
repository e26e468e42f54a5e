package dev.zkscale.demo;

/** Why the demo cannot run, in one line that says what to do: printed as is, exit status 2. */
final class DemoException extends Exception {
    DemoException(String message) {
        super(message);
    }

    DemoException(String message, Throwable cause) {
        super(message, cause);
    }
}
