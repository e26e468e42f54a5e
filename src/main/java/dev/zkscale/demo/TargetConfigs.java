package dev.zkscale.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zkscale.codec.ConfigCodec;
import dev.zkscale.codec.InvalidInputException;
import dev.zkscale.core.TargetConfig;
import dev.zkscale.core.TargetRef;
import java.nio.charset.StandardCharsets;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.utils.ZKPaths;

/** Writes the demo's target config ZNode. */
final class TargetConfigs {
    private TargetConfigs() {
    }

    /**
     * Creates {@code <root>/targets/<namespace>/<name>} holding {@code json}, validated first as the controller will
     * read it.
     *
     * <p>MERGE(ConfigStore): this stands in for {@code zkscale config set}. When {@code coordination.ConfigStore} (the
     * tuning branch) lands, call it here instead and delete this method's body: the demo must write the ZNode with
     * the same code as {@code zkscale config set}.
     */
    static TargetConfig set(CuratorFramework zookeeper, String root, TargetRef target, JsonNode json)
            throws InvalidInputException, Exception {
        TargetConfig config = ConfigCodec.parse(json, "", target.name());
        String path = ZKPaths.makePath(root, "targets", target.namespace(), target.name());
        zookeeper.create().creatingParentsIfNeeded().forPath(path, json.toString().getBytes(StandardCharsets.UTF_8));
        return config;
    }
}
