package dev.zkscale.coordination;

import dev.zkscale.codec.HistoryCodec;
import dev.zkscale.codec.InvalidInputException;
import dev.zkscale.core.History;
import dev.zkscale.core.TargetRef;
import dev.zkscale.loop.DecisionState;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;

/**
 * {@link DecisionState} in ZooKeeper: one ZNode a target, {@code <root>/state/<namespace>/<name>}, holding its history
 * as the JSON of a snapshot's {@code history}, zlib-compressed ({@link HistoryCodec#compress}: a history of 20
 * recommendations is about 1 KB of JSON and 180 bytes compressed). Plain JSON is read too, so a person may write one.
 *
 * <p>The guard: a term may load and save only while the epoch counter {@code <root>/epoch} still holds its epoch. When
 * a term first calls, the counter is read; if it holds that epoch, its data version is the one at which this term's
 * epoch was written, and every save is one ZooKeeper {@code multi} that starts with a {@code check} of the counter at
 * that version. The counter moves only when an instance takes a newer epoch, so once a newer leader exists every save
 * of an older term fails as a whole, and nothing it carried lands.
 *
 * <p>Saves are batched into {@code multi} requests of at most {@link #BATCH_BYTES}, all or nothing each. ZooKeeper
 * refuses requests above {@code jute.maxbuffer} (1 MiB by default), and every server keeps its last 500 transactions
 * in memory for followers that fall behind ({@code zookeeper.commitLogCount}): a batch is one transaction, so its size
 * bounds what the state can pin there (500 &times; 64 KiB, 32 MiB, at most). Whether a target's ZNode exists is known
 * from the listing made at load (or at the term's first save), so a write is a {@code setData} or a {@code create};
 * when someone else created or deleted a ZNode meanwhile, the batch fails on it, is corrected and sent again. New
 * ZNodes get their parent's ACL, so the policy {@code zkscale config init} sets on {@code <root>/state} applies to
 * them. Not thread-safe: one thread at a time (the {@link DecisionState} contract).
 */
public final class ZkDecisionState implements DecisionState {
    /** The largest request a batch makes: far below ZooKeeper's default limit of 1 MiB. */
    static final int BATCH_BYTES = 64 * 1024;

    /** What an operation costs in a request beside its path and data (header, version, an ACL), counted generously. */
    private static final int OP_OVERHEAD = 64;

    private static final int TRIES = 10;
    private static final int READS_IN_FLIGHT = 256;

    private final CuratorFramework client;
    private final ZkCalls zk;
    private final String epochPath;
    private final String statePath;
    private final int batchBytes;

    private long guardEpoch = -1;
    private int guardVersion;
    /** The term whose listing {@link #existing} holds, or -1 before any (or after a failed batch). */
    private long listedEpoch = -1;

    private final Set<TargetRef> existing = new HashSet<>();
    private final Map<String, List<ACL>> acls = new HashMap<>();

    /**
     * @param client a started client, shared and owned by the caller
     * @param root the zkscale root ZNode, e.g. {@code /zkscale}
     */
    public ZkDecisionState(CuratorFramework client, String root) {
        this(client, root, BATCH_BYTES);
    }

    /** As above, with smaller batches (tests). */
    ZkDecisionState(CuratorFramework client, String root, int batchBytes) {
        ConfigPaths paths = new ConfigPaths(root);
        this.client = client;
        this.zk = new ZkCalls(client, paths, Optional.empty());
        this.epochPath = ZKPaths.makePath(root, "epoch");
        this.statePath = ZKPaths.makePath(root, "state");
        this.batchBytes = batchBytes;
    }

    /** The ZNode of a target's state. */
    String path(TargetRef target) {
        return ZKPaths.makePath(statePath, target.namespace(), target.name());
    }

    @Override
    public Loaded load(long epoch, Set<TargetRef> targets) throws StateException {
        guard(epoch);
        list(epoch);
        Map<TargetRef, byte[]> data = read(targets);
        Map<TargetRef, History> histories = new HashMap<>();
        Map<TargetRef, String> unreadable = new HashMap<>();
        data.forEach((target, bytes) -> {
            try {
                histories.put(target, HistoryCodec.decompress(bytes));
            } catch (InvalidInputException e) {
                unreadable.put(target, path(target) + ": " + e.getMessage());
            }
        });
        return new Loaded(histories, unreadable, existing);
    }

    @Override
    public Set<TargetRef> save(long epoch, Map<TargetRef, History> changed, Set<TargetRef> deleted)
            throws StateException {
        int version = guard(epoch);
        if (listedEpoch != epoch) {
            list(epoch);
        }
        List<Change> changes = new ArrayList<>();
        changed.forEach((target, history) -> changes.add(new Change(target, HistoryCodec.compress(history))));
        for (TargetRef target : deleted) {
            if (existing.contains(target)) {
                changes.add(new Change(target, null));
            }
        }
        Set<TargetRef> written = new HashSet<>(deleted);
        written.removeAll(existing);
        List<Change> batch = new ArrayList<>();
        int bytes = 0;
        for (Change change : changes) {
            int size = change.size();
            if (!batch.isEmpty() && bytes + size > batchBytes) {
                written.addAll(commit(version, batch));
                batch.clear();
                bytes = 0;
            }
            batch.add(change);
            bytes += size;
        }
        if (!batch.isEmpty()) {
            written.addAll(commit(version, batch));
        }
        return written;
    }

    /** One target's write (data) or delete (null data). */
    private record Change(TargetRef target, byte[] data) {
        int size() {
            return OP_OVERHEAD
                    + 2 * (target.namespace().length() + target.name().length())
                    + (data == null ? 0 : data.length);
        }
    }

    /** The counter's version at which {@code epoch} was written; refuses a term that is not the newest. */
    private int guard(long epoch) throws StateException {
        if (guardEpoch == epoch) {
            return guardVersion;
        }
        Stat stat = new Stat();
        byte[] data = call(
                "read", epochPath, () -> client.getData().storingStatIn(stat).forPath(epochPath));
        String held = data == null ? "" : new String(data, StandardCharsets.UTF_8).trim();
        if (!held.equals(Long.toString(epoch))) {
            throw new StateException(
                    Failure.DEPOSED,
                    "the epoch counter " + epochPath + " holds " + held + ", not this term's epoch " + epoch,
                    null);
        }
        guardEpoch = epoch;
        guardVersion = stat.getVersion();
        return guardVersion;
    }

    /** Lists every target that has state. */
    private void list(long epoch) throws StateException {
        existing.clear();
        acls.clear();
        for (String namespace : call("list", statePath, () -> zk.children(statePath))) {
            String parent = ZKPaths.makePath(statePath, namespace);
            for (String name : call("list", parent, () -> zk.children(parent))) {
                existing.add(new TargetRef(namespace, name));
            }
        }
        listedEpoch = epoch;
    }

    /** The data of those of {@code targets} that have state, read concurrently (a few hundred requests in flight). */
    private Map<TargetRef, byte[]> read(Set<TargetRef> targets) throws StateException {
        List<TargetRef> present = targets.stream().filter(existing::contains).toList();
        Map<TargetRef, byte[]> data = new ConcurrentHashMap<>();
        Map<TargetRef, KeeperException.Code> failed = new ConcurrentHashMap<>();
        CountDownLatch done = new CountDownLatch(present.size());
        Semaphore inFlight = new Semaphore(READS_IN_FLIGHT);
        try {
            for (TargetRef target : present) {
                inFlight.acquire();
                client.getData()
                        .inBackground((c, event) -> {
                            KeeperException.Code code = KeeperException.Code.get(event.getResultCode());
                            if (code == KeeperException.Code.OK) {
                                data.put(target, event.getData() == null ? new byte[0] : event.getData());
                            } else if (code != KeeperException.Code.NONODE) {
                                failed.put(target, code);
                            }
                            inFlight.release();
                            done.countDown();
                        })
                        .forPath(path(target));
            }
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StateException(Failure.UNAVAILABLE, "interrupted while reading " + statePath, e);
        } catch (Exception e) {
            throw new StateException(Failure.UNAVAILABLE, "cannot read " + statePath + ": " + e, e);
        }
        if (!failed.isEmpty()) {
            throw new StateException(
                    Failure.UNAVAILABLE,
                    "cannot read the state of " + failed.size() + " targets, e.g. "
                            + failed.entrySet().iterator().next(),
                    null);
        }
        return data;
    }

    /**
     * Commits one batch, correcting and resending it when it met a ZNode created or deleted by someone else. Returns
     * the batch's targets, all written (or, for a delete, found gone already).
     */
    private Set<TargetRef> commit(int version, List<Change> batch) throws StateException {
        List<Change> pending = new ArrayList<>(batch);
        for (int attempt = 1; ; attempt++) {
            List<CuratorOp> ops = new ArrayList<>();
            ops.add(call(
                    "check",
                    epochPath,
                    () -> client.transactionOp().check().withVersion(version).forPath(epochPath)));
            for (Change change : pending) {
                ops.add(op(change));
            }
            try {
                client.transaction().forOperations(ops);
                for (Change change : pending) {
                    if (change.data() == null) {
                        existing.remove(change.target());
                    } else {
                        existing.add(change.target());
                    }
                }
                Set<TargetRef> written = new HashSet<>();
                batch.forEach(change -> written.add(change.target()));
                return written;
            } catch (KeeperException e) {
                if (!correct(e, pending) || attempt == TRIES) {
                    listedEpoch = -1;
                    throw new StateException(
                            Failure.UNAVAILABLE, "cannot write " + pending.size() + " targets' state: " + e, e);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StateException(Failure.UNAVAILABLE, "interrupted while writing " + statePath, e);
            } catch (StateException e) {
                throw e;
            } catch (Exception e) {
                throw new StateException(Failure.UNAVAILABLE, "cannot write " + statePath + ": " + e, e);
            }
        }
    }

    /**
     * Reads why a batch failed: a stale guard means this term is outdated; a ZNode that exists (or not) against what
     * was believed is corrected in {@link #existing} (a delete of a ZNode already gone is dropped). False when the
     * failure is of another kind, which a retry would not mend.
     */
    private boolean correct(KeeperException e, List<Change> pending) throws StateException {
        List<OpResult> results = e.getResults();
        if (results == null || results.size() != pending.size() + 1) {
            return false;
        }
        if (results.get(0) instanceof OpResult.ErrorResult guard
                && (guard.getErr() == KeeperException.Code.BADVERSION.intValue()
                        || guard.getErr() == KeeperException.Code.NONODE.intValue())) {
            throw new StateException(
                    Failure.DEPOSED,
                    "a newer leader has taken an epoch (" + epochPath + " is no longer at version " + guardVersion
                            + ")",
                    e);
        }
        for (int i = 1; i < results.size(); i++) {
            if (!(results.get(i) instanceof OpResult.ErrorResult error)) {
                continue;
            }
            KeeperException.Code code = KeeperException.Code.get(error.getErr());
            Change change = pending.get(i - 1);
            TargetRef target = change.target();
            if (code == KeeperException.Code.NODEEXISTS) {
                existing.add(target);
                return true;
            }
            if (code == KeeperException.Code.NONODE) {
                if (change.data() == null) {
                    // Deleted already: done.
                    existing.remove(target);
                    pending.remove(i - 1);
                    return true;
                }
                if (existing.remove(target)) {
                    return true;
                }
                // Not believed to exist and yet no node: its namespace ZNode is missing.
                acls.remove(target.namespace());
                return true;
            }
            if (code != KeeperException.Code.OK && code != KeeperException.Code.RUNTIMEINCONSISTENCY) {
                return false;
            }
        }
        return false;
    }

    private CuratorOp op(Change change) throws StateException {
        String path = path(change.target());
        if (change.data() == null) {
            return call("delete", path, () -> client.transactionOp().delete().forPath(path));
        }
        if (existing.contains(change.target())) {
            return call("write", path, () -> client.transactionOp().setData().forPath(path, change.data()));
        }
        List<ACL> acl = namespaceAcl(change.target().namespace());
        return call(
                "create",
                path,
                () -> client.transactionOp().create().withACL(acl).forPath(path, change.data()));
    }

    /** The ACL of the namespace's ZNode (created, with its parent's ACL, if missing), which new state ZNodes get. */
    private List<ACL> namespaceAcl(String namespace) throws StateException {
        List<ACL> acl = acls.get(namespace);
        if (acl == null) {
            String parent = ZKPaths.makePath(statePath, namespace);
            call("create", parent, () -> {
                zk.ensure(parent);
                return null;
            });
            acl = call("read the ACL of", parent, () -> zk.aclOf(parent));
            acls.put(namespace, acl);
        }
        return acl;
    }

    private <T> T call(String action, String path, ZkCalls.Call<T> call) throws StateException {
        try {
            return zk.call(action, path, call);
        } catch (ConfigStoreException e) {
            throw new StateException(Failure.UNAVAILABLE, e.getMessage(), e.getCause());
        }
    }
}
