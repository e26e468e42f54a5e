package dev.zkscale.loop;

import java.util.OptionalLong;

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

    /** True while the ZooKeeper session is connected. */
    boolean connected();
}
