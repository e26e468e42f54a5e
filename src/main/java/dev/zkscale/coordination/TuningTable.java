package dev.zkscale.coordination;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.zkscale.codec.ConfigNodes;
import dev.zkscale.codec.InvalidInputException;
import dev.zkscale.codec.KubernetesNames;
import dev.zkscale.codec.SnapshotCodec;
import dev.zkscale.coordination.ConfigStore.Key;
import dev.zkscale.core.TargetConfig;
import dev.zkscale.core.TargetRef;
import dev.zkscale.loop.TuningSource.ConfigInForce;
import dev.zkscale.loop.TuningSource.RejectedConfig;
import dev.zkscale.loop.TuningSource.Target;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.jboss.logging.Logger;

/**
 * The targets' tunings, built from the config ZNodes as cached: the defaults merged under each target by
 * {@link ConfigNodes}, capped at the controller's {@code maxReplicas} ceiling. It keeps each target's last good config:
 * bad data gives a {@link RejectedConfig} naming the ZNode, the field and the rule, and the config in force stays; a
 * target deleted and created again starts afresh. A target is parsed again only when its ZNode or the defaults changed.
 * Nothing here throws on bad data: whatever reading one ZNode throws rejects that ZNode alone. Not thread-safe:
 * {@link ZkTuningSource} calls it holding its lock.
 */
final class TuningTable {
    /** Logged as the source, whose settings the messages name. */
    private static final Logger LOG = Logger.getLogger(ZkTuningSource.class);

    private static final Comparator<Target> ORDER = Comparator.comparing(
                    (Target t) -> t.target().namespace())
            .thenComparing(t -> t.target().name());

    private final ConfigPaths paths;
    private final int maxReplicasCeiling;
    private final Map<TargetRef, Entry> entries = new HashMap<>();
    private Defaults defaults = Defaults.NONE;

    TuningTable(ConfigPaths paths, int maxReplicasCeiling) {
        this.paths = paths;
        this.maxReplicasCeiling = maxReplicasCeiling;
    }

    /**
     * Every target, sorted by namespace and name, built afresh from the cached ZNodes.
     *
     * @param defaultsNode the defaults ZNode, or null when there is none
     * @param nodes the ZNodes under the targets' parent: namespaces, targets, anything else (only targets count)
     */
    List<Target> rebuild(ChildData defaultsNode, Stream<ChildData> nodes) {
        defaults = defaults(defaultsNode);
        Map<TargetRef, ChildData> targets = new HashMap<>();
        nodes.forEach(node -> {
            Key key = paths.target(node.getPath());
            if (key != null && node.getStat() != null) {
                targets.put(new TargetRef(key.namespace(), key.name()), node);
            }
        });
        entries.keySet().retainAll(targets.keySet());
        targets.forEach((target, node) -> {
            Entry old = entries.get(target);
            if (old == null || old.mzxid() != node.getStat().getMzxid() || old.defaultsMzxid() != defaults.mzxid()) {
                entries.put(target, evaluate(target, node, old));
            }
        });
        return entries.values().stream().map(Entry::tuning).sorted(ORDER).toList();
    }

    private Defaults defaults(ChildData node) {
        if (node == null || node.getStat() == null) {
            return Defaults.NONE;
        }
        if (node.getStat().getMzxid() == defaults.mzxid()) {
            return defaults;
        }
        int version = node.getStat().getVersion();
        try {
            return new Defaults(
                    ConfigNodes.defaults(ConfigNodes.object(node.getData())),
                    null,
                    node.getStat().getMzxid(),
                    paths.defaults() + " version " + version);
        } catch (InvalidInputException | RuntimeException e) {
            return new Defaults(
                    null, rejection(paths.defaults(), e), node.getStat().getMzxid(), null);
        }
    }

    private Entry evaluate(TargetRef target, ChildData node, Entry old) {
        String path = paths.path(new Key(target.namespace(), target.name()));
        int version = node.getStat().getVersion();
        // A ZNode created anew is a new target: what was in force for the one deleted does not carry over.
        boolean same = old != null && old.czxid() == node.getStat().getCzxid();
        ConfigInForce applied = same ? old.tuning().inForce() : null;
        RejectedConfig rejected = null;
        if (!KubernetesNames.isLabel(target.namespace())) {
            rejected = new RejectedConfig(
                    path + ": the namespace " + TextNode.valueOf(target.namespace()) + " is not "
                            + KubernetesNames.LABEL_RULE,
                    version);
        } else if (defaults.error() != null) {
            rejected = new RejectedConfig(defaults.error(), version);
        } else {
            try {
                TargetConfig config = ConfigNodes.target(defaults.json(), node.getData(), target.name());
                TargetConfig capped = config.cappedAt(maxReplicasCeiling);
                if (capped.maxReplicas() != config.maxReplicas()) {
                    LOG.warnf(
                            "%s: maxReplicas %d capped at the ceiling %d (zkscale.max-replicas-ceiling)",
                            path, config.maxReplicas(), maxReplicasCeiling);
                }
                // Unchanged config and version (only the defaults' version moved): the same config stays in force.
                if (applied == null
                        || applied.version() != version
                        || !applied.config().equals(capped)) {
                    applied = new ConfigInForce(
                            capped,
                            version,
                            path + " version " + version
                                    + (defaults.origin() == null ? "" : " over " + defaults.origin()));
                }
            } catch (InvalidInputException | RuntimeException e) {
                rejected = new RejectedConfig(rejection(path, e), version);
            }
        }
        return new Entry(
                node.getStat().getCzxid(),
                node.getStat().getMzxid(),
                defaults.mzxid(),
                new Target(target, applied, rejected));
    }

    /**
     * Why the ZNode at {@code path} is rejected. The codec turns whatever reading its data throws into an
     * {@link InvalidInputException}; anything else is a bug there, which still costs that ZNode only, never the source.
     */
    private static String rejection(String path, Exception e) {
        if (e instanceof InvalidInputException) {
            return path + ": " + e.getMessage();
        }
        LOG.errorf(e, "%s: reading the config failed unexpectedly", path);
        return path + ": cannot be read (" + e.getClass().getSimpleName() + ")";
    }

    /** What a target was built from (its ZNode's creation and change zxids, the defaults' change zxid), and how. */
    private record Entry(long czxid, long mzxid, long defaultsMzxid, Target tuning) {}

    /**
     * The defaults as last parsed: the JSON, or why the ZNode is rejected; its change zxid (0: no defaults ZNode) and a
     * description for {@link ConfigInForce#origin()}.
     */
    private record Defaults(ObjectNode json, String error, long mzxid, String origin) {
        static final Defaults NONE = new Defaults(SnapshotCodec.MAPPER.createObjectNode(), null, 0, null);
    }
}
