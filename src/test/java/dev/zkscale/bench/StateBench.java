package dev.zkscale.bench;

import dev.zkscale.app.ZooKeeperProcess;
import dev.zkscale.codec.ConfigCodec;
import dev.zkscale.codec.HistoryCodec;
import dev.zkscale.codec.StrictJson;
import dev.zkscale.coordination.ZkDecisionState;
import dev.zkscale.coordination.ZooKeeperClients;
import dev.zkscale.core.Decider;
import dev.zkscale.core.Decision;
import dev.zkscale.core.History;
import dev.zkscale.core.Pod;
import dev.zkscale.core.PodMetrics;
import dev.zkscale.core.ReadyPods;
import dev.zkscale.core.Snapshot;
import dev.zkscale.core.TargetConfig;
import dev.zkscale.core.TargetRef;
import dev.zkscale.loop.DecisionMemory;
import dev.zkscale.loop.DecisionState;
import dev.zkscale.loop.Monitor;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.curator.framework.CuratorFramework;

/**
 * The ZooKeeper load of warm failover, measured, not asserted (not a test; run by hand): N targets decided by the real
 * decision code every 15 s of a virtual clock (3 pods each, CPU near the target with noise, so sizes move now and
 * then), their histories saved after each pass by {@link DecisionMemory} into {@link ZkDecisionState} on a ZooKeeper
 * server process, synchronously. After a warm-up longer than the 300 s window, it prints per measured pass how many
 * targets' history changed, the bytes of their JSON, the ZooKeeper requests (the server's received packets) and the
 * save's wall time; then the bytes stored (compressed) over all targets, and the time a new term takes to load them.
 *
 * <pre>
 * ./mvnw -B -q test-compile
 * ./mvnw -B -q org.codehaus.mojo:exec-maven-plugin:3.6.4:exec -Dexec.executable=java -Dexec.classpathScope=test \
 *     -Dexec.args="-Djava.util.logging.manager=org.jboss.logmanager.LogManager -cp %classpath \
 *     dev.zkscale.bench.StateBench 1000 10000"
 * </pre>
 *
 * Arguments: the target counts to measure (1000); {@code --forecast} gives every target the forecast policy.
 */
public final class StateBench {
    private static final Path OUT = Path.of("target", "state-bench");
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration PERIOD = Duration.ofSeconds(15);
    private static final int WARMUP = 25;
    private static final int MEASURED = 5;

    private StateBench() {}

    public static void main(String[] args) throws Exception {
        List<Integer> counts = new ArrayList<>();
        boolean forecast = false;
        for (String a : args) {
            if (a.equals("--forecast")) {
                forecast = true;
            } else {
                counts.add(Integer.parseInt(a));
            }
        }
        if (counts.isEmpty()) {
            counts.add(1000);
        }
        TargetConfig config = ConfigCodec.parse(
                StrictJson.parse(
                        forecast ? "{\"maxReplicas\":20,\"policy\":{\"type\":\"Forecast\"}}" : "{\"maxReplicas\":20}",
                        ""),
                "",
                "web");
        try (ZooKeeperProcess zk = ZooKeeperProcess.start(OUT, Duration.ofSeconds(60))) {
            CuratorFramework client =
                    ZooKeeperClients.start(zk.connectString(), Duration.ofSeconds(10), Duration.ofSeconds(5));
            client.blockUntilConnected();
            for (int n : counts) {
                run(zk, client, "/bench" + n, n, config);
            }
            client.close();
        }
    }

    private static void run(ZooKeeperProcess zk, CuratorFramework client, String root, int n, TargetConfig config)
            throws Exception {
        client.create().creatingParentsIfNeeded().forPath(root + "/epoch", "1".getBytes(StandardCharsets.UTF_8));
        Counting state = new Counting(new ZkDecisionState(client, root));
        DecisionMemory memory = new DecisionMemory(state, silent(), Runnable::run);
        List<TargetRef> targets = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            targets.add(new TargetRef("ns" + i % 10, "t" + i));
        }
        memory.takeOver(1, Set.copyOf(targets));
        Map<TargetRef, History> histories = new HashMap<>();
        Map<TargetRef, Integer> sizes = new HashMap<>();
        Random random = new Random(42);
        System.out.printf("%d targets%n pass  changed  JSON bytes requests  save ms%n", n);
        for (int pass = 0; pass < WARMUP + MEASURED; pass++) {
            Instant now = T0.plus(PERIOD.multipliedBy(pass));
            Map<TargetRef, DecisionMemory.Kept> kept = new LinkedHashMap<>();
            for (TargetRef t : targets) {
                int spec = sizes.getOrDefault(t, 3);
                Decision d = Decider.decide(snapshot(now, t, config, spec, random, histories.get(t)));
                sizes.put(t, d.desiredReplicas());
                histories.put(t, d.historyAfterWrite());
                kept.put(t, new DecisionMemory.Kept(d.historyAfterWrite(), config));
            }
            state.reset();
            long received = zk.received();
            long started = System.nanoTime();
            memory.passed(1, now, kept);
            long millis = (System.nanoTime() - started) / 1_000_000;
            // The srvr command itself counts as a packet; leave it out.
            long requests = zk.received() - received - 1;
            if (pass >= WARMUP) {
                System.out.printf(" %4d  %7d  %9d  %8d  %7d%n", pass, state.changed, state.bytes, requests, millis);
            }
        }
        long stored = 0;
        for (TargetRef t : targets) {
            stored += client.checkExists()
                    .forPath(root + "/state/" + t.namespace() + "/" + t.name())
                    .getDataLength();
        }
        System.out.printf(" stored: %d bytes, %d per target%n", stored, stored / n);
        long received = zk.received();
        long started = System.nanoTime();
        DecisionState.Loaded loaded = new ZkDecisionState(client, root).load(1, Set.copyOf(targets));
        System.out.printf(
                " load at takeover: %d histories in %d ms, %d requests%n",
                loaded.histories().size(), (System.nanoTime() - started) / 1_000_000, zk.received() - received - 1);
    }

    /** Three ready pods requesting 500m, together using about 80% of the target on average. */
    private static Snapshot snapshot(
            Instant now, TargetRef t, TargetConfig config, int spec, Random random, History history) {
        List<Pod> pods = new ArrayList<>();
        List<PodMetrics> metrics = new ArrayList<>();
        long demand = Math.round(3 * 400 * (1 + 0.3 * random.nextGaussian()));
        for (int i = 0; i < spec; i++) {
            String name = t.name() + "-" + i;
            pods.add(ReadyPods.pod(name, T0.minusSeconds(3600)));
            metrics.add(new PodMetrics(
                    name, now, 30, List.of(new PodMetrics.Usage("app", Math.max(1, demand / spec)))));
        }
        return new Snapshot(now, t, config, spec, spec, pods, metrics, null, history);
    }

    private static Monitor silent() {
        return (Monitor) Proxy.newProxyInstance(
                Monitor.class.getClassLoader(), new Class<?>[] {Monitor.class}, (proxy, method, args) -> null);
    }

    /** The store, counting what each save writes. */
    private static final class Counting implements DecisionState {
        private final DecisionState store;
        int changed;
        long bytes;

        Counting(DecisionState store) {
            this.store = store;
        }

        void reset() {
            changed = 0;
            bytes = 0;
        }

        @Override
        public Loaded load(long epoch, Set<TargetRef> targets) throws StateException {
            return store.load(epoch, targets);
        }

        @Override
        public Set<TargetRef> save(long epoch, Map<TargetRef, History> histories, Set<TargetRef> deleted)
                throws StateException {
            changed += histories.size();
            histories.values().forEach(h -> bytes += HistoryCodec.toBytes(h).length);
            return store.save(epoch, histories, deleted);
        }
    }
}
