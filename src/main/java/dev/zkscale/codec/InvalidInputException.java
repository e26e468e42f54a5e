package dev.zkscale.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

/**
 * Input that cannot be used: the message names the field (as a path) and the rule it breaks, on one line: control
 * characters the input put in it (a NUL, a line break in a field's name) are written as {@code \\u0000} escapes.
 */
public final class InvalidInputException extends Exception {
    public InvalidInputException(String message) {
        super(printable(message));
    }

    private static String printable(String message) {
        if (message.codePoints().noneMatch(Character::isISOControl)) {
            return message;
        }
        StringBuilder out = new StringBuilder(message.length() + 16);
        message.chars()
                .forEach(c ->
                        out.append(Character.isISOControl(c) ? String.format("\\u%04x", c) : String.valueOf((char) c)));
        return out.toString();
    }

    /**
     * Why text is not JSON, in words: Jackson's message without the excerpt of the source it appends to some
     * messages, and trailing data (which Jackson reports as a "mismatched input") said as such.
     */
    public static String whyNotJson(JsonProcessingException e) {
        if (e instanceof MismatchedInputException) {
            return "more data after the JSON value";
        }
        String why = e.getOriginalMessage();
        int excerpt = why.indexOf(" (start marker at ");
        return excerpt < 0 ? why : why.substring(0, excerpt);
    }
}
