package dev.zkscale.codec;

/** Input that cannot be used: the message names the field (as a path) and the rule it breaks, on one line. */
public final class InvalidInputException extends Exception {
    public InvalidInputException(String message) {
        super(message);
    }
}
