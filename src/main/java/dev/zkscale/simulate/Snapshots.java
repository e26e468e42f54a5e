package dev.zkscale.simulate;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.zkscale.codec.SnapshotCodec;

/**
 * {@code --snapshots}: the snapshot of passes 0, N, 2N, ... of each config, one JSON object a line, each replayable
 * with {@code zkscale explain} to the decision the simulation made. A {@code Paused} config decides nothing and writes
 * none.
 */
final class Snapshots {
    private final JsonGenerator out;
    private final long every;

    Snapshots(JsonGenerator out, long every) {
        this.out = out;
        this.every = every;
    }

    Simulation.Listener listener() {
        return pass -> {
            if (pass.index() % every == 0 && pass.decision() != null) {
                SnapshotCodec.write(out, pass.snapshot());
                out.writeRaw('\n');
            }
        };
    }
}
