package dev.zkscale.loop;

import dev.zkscale.core.Decision;
import dev.zkscale.core.Snapshot;
import dev.zkscale.core.TargetRef;
import java.util.Set;

/**
 * Where the loop records each decision with the snapshot it was made from, so that it can be served and replayed
 * ({@code zkscale explain}). Called from the loop's thread; implementations must be cheap and never throw.
 */
public interface DecisionLog {

    /**
     * Records one decision.
     *
     * @param write what became of its write: null when none was needed, else in words ({@code "SUCCESS: ..."},
     *     {@code "FENCED: ..."}, {@code "FAILURE: ..."}, {@code "dry run: not written"},
     *     {@code "not written: leadership lost"}); when someone else changed the workload's {@code spec.replicas}
     *     since the last pass, that comes first (alone when no write was needed, else followed by
     *     {@code "; write: "} and the above)
     */
    void add(Snapshot snapshot, Decision decision, String write);

    /** Drops every target not in {@code managed}. */
    void retain(Set<TargetRef> managed);
}
