package dev.zkscale.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zkscale.core.TargetConfig;
import java.util.Iterator;
import java.util.Map;

/**
 * The rules for the content of a config ZNode, in one place for everything that reads or writes one: the controller's
 * {@code ZkTuningSource}, {@code ConfigStore} (so {@code zkscale config set} refuses exactly what the controller would
 * reject, with the same words), the offline {@code zkscale config validate} and the demo. Pure JSON: nothing here knows
 * ZooKeeper.
 *
 * <p>A config is UTF-8 JSON text of at most {@link #MAX_CONFIG_BYTES}, one object, no field given twice (read by
 * {@link StrictJson}). A target's
 * config is deep-merged over the defaults (objects merge field by field, the target's values win, a {@code null} in
 * the target removes the default) and then validated by {@link ConfigCodec}. The defaults are validated as a partial
 * config. Messages name the field and the rule, never the ZNode or file: the caller adds where the data came from.
 */
public final class ConfigNodes {
    /** Configs above this size are rejected unparsed: a config is a few hundred bytes. */
    public static final int MAX_CONFIG_BYTES = 64 * 1024;

    private ConfigNodes() {}

    /** Parses the defaults (null: there are none, which is valid) into a validated partial config. */
    public static ObjectNode defaults(byte[] data) throws InvalidInputException {
        return data == null ? SnapshotCodec.MAPPER.createObjectNode() : defaults(object(data));
    }

    /**
     * Validates the defaults as a partial config: unknown fields, wrong types and out-of-range values are refused, and
     * {@code maxReplicas} (required of a target, optional here) counts as unbounded when absent. A workload name is
     * refused: it would point every target at one workload.
     *
     * @return {@code json}, unchanged
     */
    public static ObjectNode defaults(ObjectNode json) throws InvalidInputException {
        ObjectNode probe = SnapshotCodec.MAPPER.createObjectNode().put("maxReplicas", Integer.MAX_VALUE);
        ConfigCodec.parse(merge(probe, json), "", "defaults");
        if (json.path("scaleTargetRef").hasNonNull("name")) {
            throw new InvalidInputException("scaleTargetRef.name: not allowed in the defaults (every target would "
                    + "scale that one workload)");
        }
        return json;
    }

    /**
     * A target's effective config: its data merged over {@code defaults} (as returned by {@link #defaults}), validated,
     * not capped.
     *
     * @param name the target's name, the workload's name unless the config's {@code scaleTargetRef} says otherwise
     */
    public static TargetConfig target(ObjectNode defaults, byte[] data, String name) throws InvalidInputException {
        return ConfigCodec.parse(merge(defaults.deepCopy(), object(data)), "", name);
    }

    /** The data as one JSON object, or why it is not one. */
    public static ObjectNode object(byte[] data) throws InvalidInputException {
        if (data != null && data.length > MAX_CONFIG_BYTES) {
            throw new InvalidInputException("too large: " + data.length + " bytes, the limit is " + MAX_CONFIG_BYTES);
        }
        if (data == null || data.length == 0) {
            throw new InvalidInputException("empty");
        }
        String text = StrictJson.decode(data);
        if (text.isBlank()) {
            throw new InvalidInputException("empty");
        }
        JsonNode json = StrictJson.parse(text, "");
        if (json == null || !json.isObject()) {
            throw new InvalidInputException("must be a JSON object, got "
                    + (json == null || json.isMissingNode()
                            ? "nothing"
                            : json.getNodeType().toString().toLowerCase()));
        }
        return (ObjectNode) json;
    }

    /** Merges {@code top} into {@code base} (changing it): objects field by field, anything else replaced. */
    static ObjectNode merge(ObjectNode base, ObjectNode top) {
        Iterator<Map.Entry<String, JsonNode>> fields = top.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode below = base.get(field.getKey());
            if (below instanceof ObjectNode belowObject && field.getValue() instanceof ObjectNode topObject) {
                merge(belowObject, topObject);
            } else {
                base.set(field.getKey(), field.getValue().deepCopy());
            }
        }
        return base;
    }
}
