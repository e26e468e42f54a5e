package dev.zkscale.coordination;

import dev.zkscale.codec.KubernetesNames;
import dev.zkscale.coordination.ConfigStore.Key;
import dev.zkscale.coordination.ConfigStoreException.Kind;
import java.util.List;
import org.apache.curator.utils.PathUtils;
import org.apache.curator.utils.ZKPaths;

/**
 * Where the config ZNodes live under the zkscale root, and the grammar of the keys people type for them. Pure: it
 * builds and reads paths, it never calls ZooKeeper.
 *
 * <pre>
 * &lt;root&gt;/defaults                              the defaults
 * &lt;root&gt;/targets/&lt;namespace&gt;/&lt;name&gt;            one target's config
 * &lt;root&gt;/history/defaults/&lt;entry&gt;             the defaults' changes
 * &lt;root&gt;/history/targets/&lt;namespace&gt;/&lt;name&gt;/&lt;entry&gt;   a target's changes
 * </pre>
 */
final class ConfigPaths {
    private final String root;
    private final String targets;
    private final String defaults;
    private final String history;

    /**
     * @param root the zkscale root ZNode, e.g. {@code /zkscale}
     * @throws IllegalArgumentException when {@code root} is not a ZooKeeper path
     */
    ConfigPaths(String root) {
        PathUtils.validatePath(root);
        this.root = root;
        this.targets = ZKPaths.makePath(root, "targets");
        this.defaults = ZKPaths.makePath(root, "defaults");
        this.history = ZKPaths.makePath(root, "history");
    }

    /** {@code defaults} or {@code NAMESPACE/NAME}, checked as Kubernetes names (so never a path of its own). */
    static Key parse(String text) throws ConfigStoreException {
        if (text.equals("defaults")) {
            return Key.DEFAULTS;
        }
        int slash = text.indexOf('/');
        if (slash > 0
                && KubernetesNames.isLabel(text.substring(0, slash))
                && KubernetesNames.isSubdomain(text.substring(slash + 1))) {
            return new Key(text.substring(0, slash), text.substring(slash + 1));
        }
        throw new ConfigStoreException(
                Kind.INVALID,
                "\"" + text + "\": must be NAMESPACE/NAME (Kubernetes names: "
                        + "lower-case letters, digits, '-', and '.' in the name) or defaults");
    }

    String root() {
        return root;
    }

    /** The parent of the namespaces' ZNodes. */
    String targets() {
        return targets;
    }

    /** The ZNode of the namespace's targets. */
    String targets(String namespace) {
        return ZKPaths.makePath(targets, namespace);
    }

    String defaults() {
        return defaults;
    }

    /** The parent of every history ZNode. */
    String history() {
        return history;
    }

    /** The config ZNode of {@code key}. */
    String path(Key key) {
        return key.isDefaults() ? defaults : ZKPaths.makePath(targets, key.namespace(), key.name());
    }

    /** The ZNode whose children are {@code key}'s history entries. */
    String history(Key key) {
        return key.isDefaults()
                ? ZKPaths.makePath(history, "defaults")
                : ZKPaths.makePath(history, "targets", key.namespace(), key.name());
    }

    /**
     * The target whose config ZNode {@code path} is, or null for the targets' parent, a namespace, anything deeper or
     * anything elsewhere. The names are taken as ZooKeeper has them: the grammar of {@link #parse} is for what people
     * type.
     */
    Key target(String path) {
        if (!path.startsWith(targets + "/")) {
            return null;
        }
        List<String> parts = ZKPaths.split(path.substring(targets.length()));
        return parts.size() == 2 ? new Key(parts.get(0), parts.get(1)) : null;
    }
}
