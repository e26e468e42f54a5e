package dev.zkscale.coordination;

import dev.zkscale.coordination.ConfigStore.Key;
import dev.zkscale.coordination.ConfigStoreException.Kind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;

/**
 * The access policy of the zkscale root ({@code zkscale config init}): the admin identity may do everything, the
 * controller's identity may read the config and write only the leader latch, the epoch counter and the decision state
 * ({@code <root>/state}, {@link ZkDecisionState}), nobody else may do anything. ZNodes created later get their
 * parent's ACL, so the policy is set once.
 */
final class RootAcls {
    private final ZkCalls zk;
    private final ConfigPaths paths;

    RootAcls(ZkCalls zk, ConfigPaths paths) {
        this.zk = zk;
        this.paths = paths;
    }

    /** See {@link ConfigStore#init}. */
    List<String> init(Id controller) throws ConfigStoreException {
        Credentials admin = zk.credentials()
                .orElseThrow(() -> new ConfigStoreException(
                        Kind.NOT_AUTHORIZED,
                        "config init needs the admin identity: set zkscale.zookeeper.auth-file "
                                + "(or ZKSCALE_ZOOKEEPER_AUTH)"));
        Id adminId = admin.digestId();
        if (adminId.equals(controller)) {
            throw new ConfigStoreException(
                    Kind.INVALID,
                    "the controller's identity must not be the admin's (\"" + admin.user()
                            + "\"): the controller must not be able to change its config");
        }
        List<ACL> config = List.of(new ACL(ZooDefs.Perms.ALL, adminId), new ACL(ZooDefs.Perms.READ, controller));
        List<ACL> internal = List.of(new ACL(ZooDefs.Perms.ALL, adminId), new ACL(ZooDefs.Perms.ALL, controller));
        List<ACL> adminOnly = List.of(new ACL(ZooDefs.Perms.ALL, adminId));
        String who = "admin " + admin.user() + " all";
        String reader =
                controller.getId().substring(0, Math.max(0, controller.getId().indexOf(':')));
        String root = paths.root();
        List<String> done = new ArrayList<>();
        zk.ensure(ZKPaths.getPathAndNode(root).getPath());
        int n = restrict(root, config, new byte[0], false);
        n += restrict(paths.targets(), config, new byte[0], true);
        if (zk.read(Key.DEFAULTS) != null) {
            n += restrict(paths.defaults(), config, null, false);
        }
        done.add(n + " config ZNodes (" + root + ", " + paths.targets() + "/**, " + paths.defaults() + "): " + who
                + ", controller " + reader + " read");
        String leader = ZKPaths.makePath(root, "leader");
        String epoch = ZKPaths.makePath(root, "epoch");
        restrict(leader, internal, new byte[0], false);
        restrict(epoch, internal, "0".getBytes(StandardCharsets.UTF_8), false);
        done.add(leader + ", " + epoch + ": " + who + ", controller " + reader + " all");
        String state = ZKPaths.makePath(root, "state");
        n = restrict(state, internal, new byte[0], true);
        done.add(n + " decision state ZNodes (" + state + "/**): " + who + ", controller " + reader + " all");
        n = restrict(paths.history(), adminOnly, new byte[0], true);
        done.add(n + " history ZNodes (" + paths.history() + "/**): " + who + ", nobody else");
        return done;
    }

    /**
     * Creates {@code path} with {@code acl} (and {@code data}) if absent, else sets its ACL; with {@code tree}, every
     * ZNode below too. A null {@code data} means: never create. Returns how many ZNodes got the ACL.
     */
    private int restrict(String path, List<ACL> acl, byte[] data, boolean tree) throws ConfigStoreException {
        CuratorFramework client = zk.client();
        boolean created = false;
        if (data != null) {
            try {
                zk.call("create", path, () -> client.create().withACL(acl).forPath(path, data));
                created = true;
            } catch (ConfigStoreException e) {
                if (!(e.getCause() instanceof KeeperException.NodeExistsException)) {
                    throw e;
                }
            }
        }
        if (!created) {
            zk.call(
                    "change the ACL of",
                    path,
                    () -> client.setACL().withACL(acl).forPath(path));
        }
        int count = 1;
        if (tree) {
            for (String child : zk.children(path)) {
                count += restrict(ZKPaths.makePath(path, child), acl, null, true);
            }
        }
        return count;
    }
}
