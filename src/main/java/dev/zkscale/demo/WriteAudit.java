package dev.zkscale.demo;

import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;

/**
 * The API server's audit log of the Deployment's scale writes: for each JSON Patch a controller sends it, who sent it
 * (the client's User-Agent), the epoch and replicas it carries, the answer, and what ZooKeeper says at that moment:
 * which instance holds the leader latch (the lowest latch node) and the epoch counter. A write by anyone else, or with
 * another epoch, is a write not made by the leader of its time.
 */
final class WriteAudit implements ApiServerLikeDispatcher.Listener {
    /** User-Agents of the controllers start with this; the instance's name follows. */
    static final String AGENT_PREFIX = "zkscale/";

    private static final String PATH =
            "/apis/apps/v1/namespaces/" + SimulatedWorkload.NAMESPACE + "/deployments/" + SimulatedWorkload.NAME;

    private final CuratorFramework zookeeper;
    private final String root;
    private final Clock clock;
    private final Consumer<Write> sink;
    private final List<Write> writes = new ArrayList<>();

    /**
     * One write as the API server saw it.
     *
     * @param time the demo time of the write
     * @param writer the instance that sent it
     * @param epoch the epoch it carries (-1: none)
     * @param replicas the replicas it sets (-1: none)
     * @param status the HTTP status of the answer
     * @param patch the JSON Patch as sent
     * @param latchHolder the instance holding the leader latch in ZooKeeper at that moment (null: none)
     * @param epochCounter ZooKeeper's epoch counter at that moment (-1: unknown)
     */
    record Write(
            Instant time,
            String writer,
            long epoch,
            int replicas,
            int status,
            String patch,
            String latchHolder,
            long epochCounter) {
        boolean accepted() {
            return status >= 200 && status < 300;
        }

        /** A new leader's takeover stamp: it sets the epoch only, no replicas. */
        boolean stamp() {
            return replicas < 0;
        }

        /** Whether the writer held the latch and wrote with the newest epoch when the API server received it. */
        boolean byLeaderOfItsTime() {
            return writer.equals(latchHolder) && epoch == epochCounter;
        }
    }

    WriteAudit(CuratorFramework zookeeper, String root, Clock clock, Consumer<Write> sink) {
        this.zookeeper = zookeeper;
        this.root = root;
        this.clock = clock;
        this.sink = sink;
    }

    @Override
    public void answered(RecordedRequest request, String body, MockResponse response) {
        String path = request.getPath();
        int query = path.indexOf('?');
        if (!"PATCH".equals(request.getMethod()) || !PATH.equals(query < 0 ? path : path.substring(0, query))) {
            return;
        }
        String agent = request.getHeader("User-Agent");
        if (agent == null || !agent.startsWith(AGENT_PREFIX)) {
            return;
        }
        ScalePatch patch = ScalePatch.read(body);
        Write write = new Write(
                clock.instant(),
                agent.substring(AGENT_PREFIX.length()),
                patch.epoch(),
                patch.replicas(),
                response.code(),
                body,
                latchHolder(),
                epochCounter());
        synchronized (writes) {
            writes.add(write);
        }
        sink.accept(write);
    }

    /** Every write so far, in order. */
    List<Write> writes() {
        synchronized (writes) {
            return List.copyOf(writes);
        }
    }

    private String latchHolder() {
        String latch = ZKPaths.makePath(root, "leader");
        try {
            List<String> nodes = new ArrayList<>(zookeeper.getChildren().forPath(latch));
            // Latch nodes end in a sequence number; the lowest holds the latch.
            nodes.sort(Comparator.comparing(n -> n.substring(n.lastIndexOf('-') + 1)));
            for (String node : nodes) {
                try {
                    return new String(
                            zookeeper.getData().forPath(ZKPaths.makePath(latch, node)), StandardCharsets.UTF_8);
                } catch (KeeperException.NoNodeException gone) {
                    // deleted meanwhile: the next one holds it now
                }
            }
            return null;
        } catch (Exception e) {
            return null;
        }
    }

    private long epochCounter() {
        try {
            return Long.parseLong(
                    new String(zookeeper.getData().forPath(ZKPaths.makePath(root, "epoch")), StandardCharsets.UTF_8)
                            .trim());
        } catch (Exception e) {
            return -1;
        }
    }
}
