package dev.zkscale.coordination;

/**
 * A {@link ConfigStore} operation that did not happen, with a one-line message naming what is wrong and where. Unless
 * the kind is {@link Kind#FAILED} with an unknown outcome (said in the message), nothing was changed.
 */
public final class ConfigStoreException extends Exception {
    /** Why, in classes a caller can act on (the CLI maps each to an exit status). */
    public enum Kind {
        /** The config is invalid, by the same rules and words as the controller's. */
        INVALID,
        /** The ZNode is not at the version expected: another writer changed it. Read it again and retry. */
        CONFLICT,
        /** There is no such config ZNode, or no such version in its history. */
        NOT_FOUND,
        /** ZooKeeper refused this identity (ACL). */
        NOT_AUTHORIZED,
        /** ZooKeeper could not be reached or answered with an error. */
        FAILED
    }

    private final Kind kind;

    public ConfigStoreException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public ConfigStoreException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
