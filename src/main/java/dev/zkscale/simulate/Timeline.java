package dev.zkscale.simulate;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;

/**
 * {@code --timeline}: JSON Lines, one object per pass and config, {@code {"config": index, "t": seconds,
 * "demandMilliCpu", "specReplicas" (before the write), "desiredReplicas", "pendingPods", "runningPods" (Ready ones
 * included), "readyPods", "utilizationPercent" (the decision's, null when none), "error"}}, {@code t} in trace
 * seconds.
 */
final class Timeline {
    private final JsonGenerator out;

    Timeline(JsonGenerator out) {
        this.out = out;
    }

    /** The listener that writes the passes of the config at {@code index}. */
    Simulation.Listener forConfig(int index) {
        return pass -> write(index, pass);
    }

    private void write(int config, Simulation.Pass pass) throws IOException {
        out.writeStartObject();
        out.writeNumberField("config", config);
        Report.seconds(out, "t", pass.t());
        out.writeNumberField("demandMilliCpu", pass.demandMilliCpu());
        out.writeNumberField("specReplicas", pass.specReplicas());
        out.writeNumberField("desiredReplicas", pass.desiredReplicas());
        out.writeNumberField("pendingPods", pass.pendingPods());
        out.writeNumberField("runningPods", pass.runningPods());
        out.writeNumberField("readyPods", pass.readyPods());
        out.writeFieldName("utilizationPercent");
        if (pass.decision() == null || pass.decision().utilizationPercent() == null) {
            out.writeNull();
        } else {
            out.writeNumber(pass.decision().utilizationPercent());
        }
        out.writeStringField(
                "error", pass.decision() == null ? null : pass.decision().error());
        out.writeEndObject();
        out.writeRaw('\n');
    }
}
