package dev.zkscale.coordination;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zkscale.codec.ConfigCodec;
import dev.zkscale.codec.InvalidInputException;
import dev.zkscale.codec.SnapshotCodec;
import dev.zkscale.core.TargetConfig;
import dev.zkscale.core.TargetRef;
import dev.zkscale.loop.TuningSource;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.utils.PathUtils;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.jboss.logging.Logger;

/**
 * The managed targets from the config ZNodes (CONTRACT section 3), read afresh on every call: the children of
 * {@code <root>/targets} are namespaces, theirs are target names. Each target's JSON is deep-merged over
 * {@code <root>/defaults} (objects merge field by field, the target's values win, a {@code null} in the target removes
 * the default), validated, and capped at the controller's {@code maxReplicas} ceiling.
 *
 * <p>Bad data never throws: a ZNode that is empty, larger than {@link #MAX_CONFIG_BYTES}, not UTF-8, not a JSON object,
 * or not a valid config gives a {@link Tuning} with no config and an error naming the ZNode, the field and the rule. An
 * invalid defaults ZNode rejects every target, naming the defaults ZNode. Only a failure to read ZooKeeper at all
 * throws {@link TuningUnavailableException}.
 *
 * <p>Races: the tree is read node by node, not as one snapshot; a target changed or deleted during a call shows
 * either version, or is left out. The version in each {@link Tuning} is that of the data it was built from.
 */
public final class ZkTuningSource implements TuningSource {
    /** Config ZNodes above this size are rejected unread: a config is a few hundred bytes. */
    public static final int MAX_CONFIG_BYTES = 64 * 1024;

    private static final Logger LOG = Logger.getLogger(ZkTuningSource.class);
    private static final ObjectReader JSON = SnapshotCodec.MAPPER.reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION);

    private final CuratorFramework client;
    private final String targetsPath;
    private final String defaultsPath;
    private final int maxReplicasCeiling;
    /** The data version of each target whose capping was last logged, so that it is logged once per version. */
    private final Map<TargetRef, Integer> cappedLogged = new ConcurrentHashMap<>();

    /**
     * @param client a started client, owned by the caller
     * @param root the zkscale root ZNode, e.g. {@code /zkscale}
     * @param maxReplicasCeiling no target's {@code maxReplicas} exceeds this
     */
    public ZkTuningSource(CuratorFramework client, String root, int maxReplicasCeiling) {
        PathUtils.validatePath(root);
        if (maxReplicasCeiling < 1) {
            throw new IllegalArgumentException("maxReplicasCeiling must be >= 1, got " + maxReplicasCeiling);
        }
        this.client = client;
        this.targetsPath = ZKPaths.makePath(root, "targets");
        this.defaultsPath = ZKPaths.makePath(root, "defaults");
        this.maxReplicasCeiling = maxReplicasCeiling;
    }

    /**
     * Every target ZNode, sorted by namespace and name.
     *
     * @throws TuningUnavailableException when the client is not connected or a read fails for any reason other than
     *     a ZNode being absent; it does not wait for a reconnection
     */
    @Override
    public List<Tuning> targets() throws TuningUnavailableException {
        if (!client.getZookeeperClient().isConnected()) {
            throw new TuningUnavailableException("ZooKeeper is not connected", null);
        }
        try {
            Node defaultsNode = read(defaultsPath);
            Defaults defaults = defaultsNode == null ? new Defaults(SnapshotCodec.MAPPER.createObjectNode(), null)
                    : defaults(defaultsNode);
            List<Tuning> tunings = new ArrayList<>();
            for (String namespace : children(targetsPath)) {
                String namespacePath = ZKPaths.makePath(targetsPath, namespace);
                for (String name : children(namespacePath)) {
                    String path = ZKPaths.makePath(namespacePath, name);
                    Node node = read(path);
                    if (node != null) {
                        tunings.add(tuning(new TargetRef(namespace, name), path, node, defaults));
                    }
                }
            }
            return tunings;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TuningUnavailableException("interrupted while reading " + targetsPath, e);
        } catch (Exception e) {
            throw new TuningUnavailableException("cannot read " + targetsPath + ": " + e.getMessage(), e);
        }
    }

    private Tuning tuning(TargetRef target, String path, Node node, Defaults defaults) {
        if (defaults.error() != null) {
            return new Tuning(target, null, defaults.error(), node.version());
        }
        try {
            ObjectNode merged = merge(defaults.json().deepCopy(), object(node));
            TargetConfig config = ConfigCodec.parse(merged, "", target.name());
            TargetConfig capped = config.cappedAt(maxReplicasCeiling);
            if (capped.maxReplicas() != config.maxReplicas()) {
                logCapping(target, path, node.version(), config.maxReplicas());
            }
            return new Tuning(target, capped, null, node.version());
        } catch (InvalidInputException e) {
            return new Tuning(target, null, path + ": " + e.getMessage(), node.version());
        }
    }

    /**
     * The defaults, validated as a partial config: unknown fields, wrong types and out-of-range values are refused, and
     * {@code maxReplicas} (required of a target, optional here) counts as unbounded when absent. A workload name is
     * refused: it would point every target at one workload.
     */
    private Defaults defaults(Node node) {
        try {
            ObjectNode json = object(node);
            ObjectNode probe = SnapshotCodec.MAPPER.createObjectNode().put("maxReplicas", Integer.MAX_VALUE);
            ConfigCodec.parse(merge(probe, json), "", "defaults");
            if (json.path("scaleTargetRef").hasNonNull("name")) {
                throw new InvalidInputException("scaleTargetRef.name: not allowed in the defaults (every target would "
                        + "scale that one workload)");
            }
            return new Defaults(json, null);
        } catch (InvalidInputException e) {
            return new Defaults(null, defaultsPath + ": " + e.getMessage());
        }
    }

    /** The ZNode's data as a JSON object, or why it is not one (the caller adds the ZNode's path). */
    private static ObjectNode object(Node node) throws InvalidInputException {
        if (node.tooLarge()) {
            throw new InvalidInputException("too large: " + node.size() + " bytes, the limit is " + MAX_CONFIG_BYTES);
        }
        if (node.data() == null || node.data().length == 0) {
            throw new InvalidInputException("empty");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(node.data())).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidInputException("not valid UTF-8 text");
        }
        if (text.isBlank()) {
            throw new InvalidInputException("empty");
        }
        JsonNode json;
        try {
            json = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            // Trailing data is refused by the reader as a "mismatched input"; say it in words.
            String why = e instanceof MismatchedInputException ? "more data after the JSON value"
                    : e.getOriginalMessage();
            JsonLocation at = e.getLocation();
            throw new InvalidInputException("not valid JSON: " + why
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        }
        if (json == null || !json.isObject()) {
            throw new InvalidInputException("must be a JSON object, got "
                    + (json == null || json.isMissingNode() ? "nothing" : json.getNodeType().toString().toLowerCase()));
        }
        return (ObjectNode) json;
    }

    /** Merges {@code top} into {@code base} (changing it): objects field by field, anything else replaced. */
    private static ObjectNode merge(ObjectNode base, ObjectNode top) {
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

    private void logCapping(TargetRef target, String path, int version, int maxReplicas) {
        Integer logged = cappedLogged.put(target, version);
        if (logged == null || logged != version) {
            LOG.warnf("%s: maxReplicas %d capped at the ceiling %d (zkscale.max-replicas-ceiling)", path, maxReplicas,
                    maxReplicasCeiling);
        }
    }

    /** The children's names, sorted; none when the ZNode does not exist. */
    private List<String> children(String path) throws Exception {
        try {
            List<String> names = new ArrayList<>(client.getChildren().forPath(path));
            names.sort(null);
            return names;
        } catch (KeeperException.NoNodeException absent) {
            return List.of();
        }
    }

    /** The ZNode's data and version, or null when it does not exist. Data above the limit is not read. */
    private Node read(String path) throws Exception {
        try {
            Stat stat = client.checkExists().forPath(path);
            if (stat == null) {
                return null;
            }
            if (stat.getDataLength() > MAX_CONFIG_BYTES) {
                return new Node(null, stat.getVersion(), stat.getDataLength());
            }
            Stat read = new Stat();
            byte[] data = client.getData().storingStatIn(read).forPath(path);
            return new Node(data, read.getVersion(), data == null ? 0 : data.length);
        } catch (KeeperException.NoNodeException deleted) {
            return null;
        }
    }

    /** A ZNode as read: its data (null when too large to read), data version and size in bytes. */
    private record Node(byte[] data, int version, int size) {
        boolean tooLarge() {
            return size > MAX_CONFIG_BYTES;
        }
    }

    /** The defaults JSON, or why the defaults ZNode is rejected. */
    private record Defaults(ObjectNode json, String error) {
    }
}
