package dev.zkscale.demo;

/** A part of the demo could not start: one line, exit status 1. */
final class StartFailure extends Exception {
    StartFailure(String message) {
        super(message);
    }
}
