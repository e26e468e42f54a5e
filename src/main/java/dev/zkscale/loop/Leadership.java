package dev.zkscale.loop;

import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * Leadership as a fence, not a flag. An epoch is handed out only while this instance holds the latch and its
 * ZooKeeper session is connected; every term has a new, strictly greater epoch. By the time the caller uses it,
 * leadership may already be lost: that is why writes carry the epoch and the API server checks it.
 */
public interface Leadership {

    /**
     * The current term's epoch, or empty when this instance must not write. Check before observing and before writing.
     */
    OptionalLong epoch();

    /**
     * Whether this instance still leads in the term of {@code epoch}: checked before each target, Event, stamp and
     * write, since a pass may take long and the term may have ended meanwhile.
     */
    default boolean leads(long epoch) {
        OptionalLong now = epoch();
        return now.isPresent() && now.getAsLong() == epoch;
    }

    /** True while the ZooKeeper session is connected. */
    boolean connected();

    /**
     * A target carries epoch {@code foreign}, not below this term's epoch {@code ours} (a reset counter, another
     * ZooKeeper ensemble or root, a person's edit). If the epoch counter has moved past {@code ours}, another instance
     * took an epoch since: this instance is deposed, its term ends and it returns empty. Otherwise the counter is
     * advanced past {@code foreign} with a compare-and-set tied to this instance's leadership, and the new value
     * becomes this term's epoch and is returned. Empty too when the counter cannot be read or written now, or the term
     * has already ended: {@link #epoch()} then tells a deposed instance (empty) from a failed attempt (still
     * {@code ours}). Blocks for ZooKeeper round trips; never throws.
     */
    OptionalLong advancePast(long ours, long foreign);

    /**
     * Runs {@code call} on this thread, interrupting the thread as soon as the term of {@code epoch} ends (at once if
     * it already has), so that a blocking request in flight is abandoned rather than outliving leadership. The
     * interrupt this causes is cleared before returning. {@code call} must tolerate an interrupt and never throw.
     */
    <T> T whileLeading(long epoch, Supplier<T> call);

    /** How many times the epoch counter was found unusable (not a number, at its maximum, access refused). */
    long counterErrors();
}
