package dev.zkscale.coordination;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zkscale.codec.ConfigNodes;
import dev.zkscale.codec.InvalidInputException;
import dev.zkscale.codec.SnapshotCodec;
import dev.zkscale.coordination.ConfigStore.Key;
import dev.zkscale.coordination.ConfigStore.Listed;
import dev.zkscale.coordination.ConfigStore.Versioned;
import dev.zkscale.coordination.ConfigStoreException.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * The config ZNodes judged as the controller judges them ({@link ConfigNodes}): each target against the current
 * defaults. It lists them with their problems, and refuses a write the controller would reject, or defaults that
 * would turn a valid target invalid. Reads of several ZNodes are not one snapshot.
 */
final class StoredConfigs {
    private final ZkCalls zk;
    private final ConfigPaths paths;

    StoredConfigs(ZkCalls zk, ConfigPaths paths) {
        this.zk = zk;
        this.paths = paths;
    }

    /** The defaults first, if any, then the targets by namespace and name, each with why it is rejected, if it is. */
    List<Listed> list() throws ConfigStoreException {
        List<Listed> listed = new ArrayList<>();
        Versioned defaults = zk.read(Key.DEFAULTS);
        String defaultsError = null;
        ObjectNode defaultsJson = SnapshotCodec.MAPPER.createObjectNode();
        if (defaults != null) {
            try {
                defaultsJson = ConfigNodes.defaults(defaults.data());
            } catch (InvalidInputException e) {
                defaultsError = e.getMessage();
            }
            listed.add(new Listed(Key.DEFAULTS, defaults.version(), defaultsError));
        }
        for (Versioned target : targets()) {
            listed.add(new Listed(
                    target.key(),
                    target.version(),
                    defaultsError != null ? paths.defaults() + ": " + defaultsError : problem(defaultsJson, target)));
        }
        return listed;
    }

    /**
     * Refuses {@code data} for {@code key} as the controller would, against the current defaults (or, for new
     * defaults, if they would turn a target valid today invalid).
     *
     * @throws ConfigStoreException {@link Kind#INVALID} naming the field and the rule
     */
    void validate(Key key, byte[] data) throws ConfigStoreException {
        if (key.isDefaults()) {
            ObjectNode defaults;
            try {
                defaults = ConfigNodes.defaults(data);
            } catch (InvalidInputException e) {
                throw new ConfigStoreException(Kind.INVALID, e.getMessage());
            }
            // Defaults that would turn a valid target invalid would take that target's changes hostage: refuse them.
            ObjectNode old = currentDefaults();
            if (old == null) {
                return; // the current defaults are invalid: no target is valid under them to protect
            }
            for (Versioned target : targets()) {
                if (problem(old, target) == null) {
                    String problem = problem(defaults, target);
                    if (problem != null) {
                        throw new ConfigStoreException(
                                Kind.INVALID, "these defaults would make " + target.path() + " invalid: " + problem);
                    }
                }
            }
            return;
        }
        ObjectNode defaults = currentDefaults();
        if (defaults == null) {
            throw new ConfigStoreException(
                    Kind.INVALID,
                    paths.defaults() + " is invalid, so every target is rejected: fix "
                            + "the defaults first (zkscale config list shows why)");
        }
        try {
            ConfigNodes.target(defaults, data, key.name());
        } catch (InvalidInputException e) {
            throw new ConfigStoreException(Kind.INVALID, e.getMessage());
        }
    }

    /** The current defaults (empty when absent), or null when the defaults ZNode is invalid. */
    private ObjectNode currentDefaults() throws ConfigStoreException {
        Versioned defaults = zk.read(Key.DEFAULTS);
        try {
            return ConfigNodes.defaults(defaults == null ? null : defaults.data());
        } catch (InvalidInputException e) {
            return null;
        }
    }

    /** Every target's config ZNode, by namespace and name; one deleted while listing is left out. */
    private List<Versioned> targets() throws ConfigStoreException {
        List<Versioned> targets = new ArrayList<>();
        for (String namespace : sorted(zk.children(paths.targets()))) {
            for (String name : sorted(zk.children(paths.targets(namespace)))) {
                Versioned target = zk.read(new Key(namespace, name));
                if (target != null) {
                    targets.add(target);
                }
            }
        }
        return targets;
    }

    private static String problem(ObjectNode defaults, Versioned target) {
        try {
            ConfigNodes.target(defaults, target.data(), target.key().name());
            return null;
        } catch (InvalidInputException e) {
            return e.getMessage();
        }
    }

    private static List<String> sorted(List<String> names) {
        List<String> copy = new ArrayList<>(names);
        copy.sort(null);
        return copy;
    }
}
