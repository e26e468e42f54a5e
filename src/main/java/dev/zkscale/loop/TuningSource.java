package dev.zkscale.loop;

import dev.zkscale.core.TargetConfig;
import dev.zkscale.core.TargetRef;
import java.util.List;

/** Where the managed targets and their configs come from (the config ZNodes). */
public interface TuningSource {

    /**
     * Every managed target with its config as of now.
     *
     * @throws TuningUnavailableException when the source cannot be read at all (then no target is decided)
     */
    List<Tuning> targets() throws TuningUnavailableException;

    /**
     * One target's tuning: a valid config, or the reason its ZNode was rejected.
     *
     * @param config the effective config (defaults merged), or null when rejected
     * @param error why the ZNode was rejected (names the ZNode, the field and the rule), or null
     * @param version the ZNode's data version
     */
    record Tuning(TargetRef target, TargetConfig config, String error, int version) {
    }

    /** The source could not be read. */
    final class TuningUnavailableException extends Exception {
        public TuningUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
