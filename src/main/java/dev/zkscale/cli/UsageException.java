package dev.zkscale.cli;

/** A bad argument, setting or file: reported as one line, exit status 2, nothing changed. */
final class UsageException extends Exception {
    UsageException(String message) {
        super(message);
    }
}
