package dev.zkscale.loop;

import dev.zkscale.core.TargetConfig;
import dev.zkscale.core.TargetRef;
import java.util.List;

/**
 * Where the managed targets and their configs come from (the config ZNodes).
 *
 * <p>The source owns each target's last good config: it sees every change as it happens, on every instance (a
 * standby too, so that a new leader starts with the configs it has seen), and a rejected change never replaces the
 * config in force. The loop only remembers what it already reported.
 */
public interface TuningSource {

    /**
     * Every target whose config ZNode exists, sorted by namespace and name, as of the source's last consistent view.
     *
     * @throws TuningUnavailableException when the source has no view it can vouch for (disconnected, loading,
     *     re-syncing after a reconnect, not authorized); then no target may be decided
     */
    List<Target> targets() throws TuningUnavailableException;

    /**
     * One target as the source lists it: its {@link TargetConfig} in force, and a rejected change. Immutable.
     *
     * @param inForce the config in force: the newest valid one the source has seen, or null when none was ever valid
     *     (then the target is not managed)
     * @param rejected why the target's current data is refused, or null when the current data is the config in force
     */
    record Target(TargetRef target, ConfigInForce inForce, RejectedConfig rejected) {
        /** The config in force, or null. */
        public TargetConfig config() {
            return inForce == null ? null : inForce.config();
        }
    }

    /**
     * A target's {@link TargetConfig} in force, with where it came from. Equal values mean the same config took effect
     * once: a new value is a new config.
     *
     * @param config the effective config (defaults merged, capped at the ceiling)
     * @param version the data version of the target's ZNode it was built from (a 32-bit counter that may wrap)
     * @param origin where it came from, in words, for logs and Events (which ZNodes, which versions)
     */
    record ConfigInForce(TargetConfig config, int version, String origin) {}

    /**
     * A refused change of a target's config.
     *
     * @param error names the ZNode, the field and the rule
     * @param version the data version of the target's ZNode that was refused
     */
    record RejectedConfig(String error, int version) {}

    /** The source could not be read, or cannot vouch for what it holds. */
    final class TuningUnavailableException extends Exception {
        public TuningUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
