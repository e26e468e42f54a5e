package dev.zkscale.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zkscale.kube.KubeCluster;

/**
 * What a controller's write to a Deployment sets, read from the request body as the API server receives it: the
 * replicas and the epoch annotation {@value KubeCluster#EPOCH_ANNOTATION}. Reads a JSON Patch (an {@code add} or
 * {@code replace} of {@code /spec/replicas}, of the annotation, or of the whole annotations map) and a JSON merge
 * patch or full object ({@code spec.replicas}, {@code metadata.annotations}). The demo's write audit and the fault
 * campaign's API-side write log use it.
 *
 * @param epoch the epoch the write carries (-1: none, or not a number)
 * @param replicas the replicas it sets (-1: none)
 */
public record ScalePatch(long epoch, int replicas) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EPOCH_POINTER = "/metadata/annotations/"
            + KubeCluster.EPOCH_ANNOTATION.replace("~", "~0").replace("/", "~1");

    /** Reads {@code body}; what cannot be read (not JSON, another shape) is left at -1, never an error. */
    public static ScalePatch read(String body) {
        JsonNode tree;
        try {
            tree = JSON.readTree(body);
        } catch (Exception e) {
            return new ScalePatch(-1, -1);
        }
        if (tree == null) {
            return new ScalePatch(-1, -1);
        }
        if (!tree.isArray()) {
            return new ScalePatch(
                    epoch(tree.path("metadata").path("annotations").path(KubeCluster.EPOCH_ANNOTATION)),
                    tree.path("spec").path("replicas").asInt(-1));
        }
        long epoch = -1;
        int replicas = -1;
        for (JsonNode op : tree) {
            String at = op.path("path").asText();
            if (op.path("op").asText().equals("test")) {
                continue;
            }
            if (at.equals("/spec/replicas")) {
                replicas = op.path("value").asInt(-1);
            } else if (at.equals(EPOCH_POINTER)) {
                epoch = epoch(op.path("value"));
            } else if (at.equals("/metadata/annotations")) {
                epoch = epoch(op.path("value").path(KubeCluster.EPOCH_ANNOTATION));
            }
        }
        return new ScalePatch(epoch, replicas);
    }

    private static long epoch(JsonNode value) {
        try {
            return Long.parseLong(value.asText("-1"));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
