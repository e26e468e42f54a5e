package dev.zkscale.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.zkscale.codec.SnapshotCodec;
import dev.zkscale.core.Decision;
import dev.zkscale.core.TargetRef;
import dev.zkscale.monitor.DecisionRecord;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.ServiceUnavailableException;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/**
 * The decision record over HTTP: which targets were decided, and each target's last decisions with the snapshots
 * they were made from ({@code jq -c '.[].snapshot'} turns the answer into input for {@code zkscale explain}).
 */
@Path("/api/v1/targets")
@Produces(MediaType.APPLICATION_JSON)
public class DecisionResource {
    @Inject
    ControllerBean bean;

    private DecisionRecord record() {
        Controller controller = bean.controller();
        if (controller == null) {
            throw new ServiceUnavailableException("zkscale is starting or stopping");
        }
        return controller.record();
    }

    @GET
    public String targets() throws JsonProcessingException {
        DecisionRecord record = record();
        ArrayNode out = SnapshotCodec.MAPPER.createArrayNode();
        for (TargetRef target : record.targets()) {
            DecisionRecord.Entry last = record.latest(target).orElse(null);
            if (last == null) {
                continue;
            }
            Decision d = last.decision();
            out.addObject()
                    .put("namespace", target.namespace())
                    .put("name", target.name())
                    .put("time", last.snapshot().now().toString())
                    .put("currentReplicas", d.currentReplicas())
                    .put("desiredReplicas", d.desiredReplicas())
                    .put("utilizationPercent", d.utilizationPercent())
                    .put("error", d.error())
                    .put("write", last.write())
                    .put("decisions", record.recorded(target));
        }
        return SnapshotCodec.MAPPER.writeValueAsString(out);
    }

    @GET
    @Path("/{namespace}/{name}/decisions")
    public String decisions(@PathParam("namespace") String namespace, @PathParam("name") String name)
            throws JsonProcessingException {
        List<JsonNode> entries = record().decisions(new TargetRef(namespace, name));
        if (entries.isEmpty()) {
            throw new NotFoundException("no decision recorded for " + namespace + "/" + name);
        }
        return SnapshotCodec.MAPPER.writeValueAsString(
                SnapshotCodec.MAPPER.createArrayNode().addAll(entries));
    }
}
