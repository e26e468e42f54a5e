package dev.zkscale.campaign;

import dev.zkscale.kube.Fixtures;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;

/**
 * The fault campaign (issue 17): trials of faults on real parts, each judged from outside the controllers.
 *
 * <p>Parts: a three-member ZooKeeper ensemble ({@link Ensemble}, three server processes), three {@code zkscale run}
 * processes ({@link Instance}, the packaged jar, each behind TCP relays of its own), and in this JVM the mock API
 * server with the API-server-like dispatcher, injected errors and a log of every write ({@link FaultyApi}). The world
 * is one Deployment {@code shop/web} with 2 pods of 500m; the campaign plays metrics-server, so the desired size is
 * {@code ceil(usage / 200m)} at the target of 80% (50% after {@link Fault#CONFIG}).
 *
 * <p>A trial: the size is brought back to 2 under a steady leader; then the load steps every {@link #STEP} through
 * {@link #SCRIPT} (so a write is due after every step), and the fault is injected at a random moment of the 2nd or 3rd
 * step (inside a pass, between a read and a write, or during a write, as it falls). The trial lasts {@link #WINDOW},
 * longer while the controllers have not recovered. Judged from outside:
 * <ul>
 *   <li><b>stale writes</b>: writes to the Deployment, as the API server received them, carrying an epoch older than
 *       the newest epoch ZooKeeper had committed before they arrived ({@link EpochTimeline}); attempted, and accepted
 *       (2xx).
 *   <li><b>leaderless time</b>: from the reference moment on (the injection; for {@link Fault#QUORUM} the moment the
 *       restarted ensemble serves a client again),
 *       the time in which no process answering its {@code /q/metrics} reports the latch and ZooKeeper's newest epoch.
 *   <li><b>recovery</b>: reference moment to the first correct write after it: accepted, not stale, and, after a
 *       fault that deposes the leader, of a newer term than the leader's at the start of the trial.
 *   <li><b>decisions changed</b>: from 1 s after recovery to the end of the window, the time in which the Deployment's
 *       size (sampled every 250 ms) is none of the sizes the first fault-free trial had within 1.5 s of the same
 *       moment of its script. An approximation: it sees a decision that differs, or comes later than the sync period
 *       allows, not one that differs only inside that tolerance.
 *   <li><b>exits</b>: processes that exited without being killed on purpose.
 * </ul>
 */
public final class Campaign implements AutoCloseable {
    static final String NS = "shop";
    static final String NAME = "web";
    static final String ROOT = "/campaign";
    static final Duration STEP = Duration.ofMillis(2000);
    /** Per-pod usage (millicores) of each step; 2 pods of 500m at 80% want ceil(usage / 200m) replicas. */
    static final int[] SCRIPT = {600, 1000, 800, 1200, 300, 300};

    static final Duration WINDOW = STEP.multipliedBy(SCRIPT.length);
    private static final Duration SAMPLE = Duration.ofMillis(250);
    private static final Duration TOLERANCE = Duration.ofMillis(1500);
    private static final int REST = 300;
    private static final Map<String, String> WEB = Map.of("app", "web");

    /**
     * What to run.
     *
     * @param trials trials per fault, in this order
     * @param session the controllers' ZooKeeper session timeout
     * @param seed the seed of every random choice (fault moments, injected errors)
     * @param out where the logs go
     * @param patience how long a trial may wait for recovery beyond its window
     */
    public record Options(Map<Fault, Integer> trials, Duration session, long seed, Path out, Duration patience) {}

    /**
     * One trial's figures.
     *
     * @param leaderless seconds without a leader after the reference moment
     * @param recovery seconds from the reference moment to the first correct write; null: none within the trial
     * @param changed seconds of a size the fault-free run did not have; null: not compared
     * @param exits instances that exited without being killed on purpose, with their logs (not counted: an instance
     *     started again after a kill that could not bind the HTTP port picked for it, a race of the harness that
     *     {@link Instance#portTakenAtStart()} tells; it is started again like the others)
     * @param staleAccepted every stale write that was accepted: sender, epochs, replicas, when
     */
    public record Result(
            Fault fault,
            int trial,
            int staleAttempted,
            double leaderless,
            Double recovery,
            Double changed,
            List<String> exits,
            List<String> staleAccepted) {}

    private final Options options;
    private final Random random;
    private final Ensemble ensemble;
    private final CuratorFramework zk;
    private final FaultyApi api;
    private final KubernetesClient admin;
    private final EpochTimeline epochs;
    private final List<Instance> instances = new ArrayList<>();
    private final ScheduledExecutorService loader = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService faults = Executors.newSingleThreadExecutor();
    private final AtomicLong load = new AtomicLong(REST);
    /** A load that overrides the script while at or above 0 (a fault's). */
    private final AtomicLong held = new AtomicLong(-1);

    private List<Sample> baseline;

    private record Sample(long offsetMillis, int replicas) {}

    private Campaign(Options options) throws Exception {
        this.options = options;
        this.random = new Random(options.seed());
        Files.createDirectories(options.out());
        ensemble = Ensemble.start(options.out(), Duration.ofMillis(500));
        zk = CuratorFrameworkFactory.newClient(
                ensemble.connectString(), 30_000, 5_000, new ExponentialBackoffRetry(100, 10, 1000));
        zk.start();
        if (!zk.blockUntilConnected(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the ensemble does not serve");
        }
        api = FaultyApi.start(random);
        admin = api.client();
        Fixtures.createWorkload(admin, NS, NAME, WEB, 2, 2, "500m");
        loader.scheduleAtFixedRate(this::publishLoad, 0, 1, TimeUnit.SECONDS);
        configure(80);
        epochs = new EpochTimeline(zk, ROOT);
        Map<String, String> settings = Map.of(
                "zkscale.zookeeper.root", ROOT,
                "zkscale.zookeeper.session-timeout", options.session().toMillis() + "ms",
                "zkscale.sync-period", "1s",
                "quarkus.kubernetes-client.request-timeout", "1s",
                "quarkus.kubernetes-client.connection-timeout", "1s");
        for (String id : List.of("a", "b", "c")) {
            instances.add(Instance.start(id, options.out(), ensemble, api, settings));
        }
    }

    /** Sets up the parts, runs every trial, prints each trial and the table, and returns the results. */
    public static List<Result> run(Options options) throws Exception {
        try (Campaign campaign = new Campaign(options)) {
            List<Result> results = new ArrayList<>();
            for (Map.Entry<Fault, Integer> entry : options.trials().entrySet()) {
                for (int t = 1; t <= entry.getValue(); t++) {
                    Result r = campaign.trial(entry.getKey(), t);
                    results.add(r);
                    System.out.println(line(r));
                }
            }
            System.out.println();
            System.out.print(table(results, options.session()));
            return results;
        }
    }

    // --- one trial ----------------------------------------------------------------------------------------------

    private Result trial(Fault fault, int number) throws Exception {
        List<Instance> killed = new ArrayList<>();
        Instance leader = settle();
        // After a fault that deposes the leader, a correct write is one of a newer term.
        long floor = fault.deposes() ? epochs.newest() + 1 : 0;
        int mark = api.mark();
        long start = System.nanoTime();
        long startMillis = System.currentTimeMillis();
        long faultAt = STEP.toMillis() * (1 + random.nextInt(2)) + random.nextInt(1000);
        AtomicLong reference = new AtomicLong(-1);
        Future<?> injected = faults.submit(() -> {
            sleepUntil(start + TimeUnit.MILLISECONDS.toNanos(faultAt));
            inject(fault, leader, killed, reference);
            return null;
        });
        List<Sample> sizes = new ArrayList<>();
        List<long[]> led = new ArrayList<>(); // {nanoTime, 1 if led}
        long deadline = start + WINDOW.plus(options.patience()).toNanos();
        long next = start;
        while (true) {
            long now = System.nanoTime();
            long offset = TimeUnit.NANOSECONDS.toMillis(now - start);
            int step = (int) Math.min(offset / STEP.toMillis(), SCRIPT.length - 1);
            long level = held.get() >= 0 ? held.get() : SCRIPT[step];
            if (load.getAndSet(level) != level) {
                publishLoad();
            }
            led.add(new long[] {now, led() ? 1 : 0});
            sizes.add(new Sample(offset, replicas()));
            boolean windowOver = now - start >= WINDOW.toNanos();
            if (windowOver && injected.isDone() && recovered(mark, reference.get(), floor) || now > deadline) {
                break;
            }
            next += SAMPLE.toNanos();
            sleepUntil(next);
        }
        injected.get();
        Result result = judge(fault, number, mark, floor, startMillis, start, reference.get(), sizes, led, killed);
        clear();
        if (fault == Fault.NONE && baseline == null) {
            baseline = sizes;
        }
        return result;
    }

    /** Brings the world to rest: every instance serving, load at rest, size 2, one leader with the newest epoch. */
    private Instance settle() throws Exception {
        load.set(REST);
        publishLoad();
        // Every instance up (one killed last trial takes a while to start again): a fault needs its standbys.
        long fresh = Instance.POLL.multipliedBy(3).toNanos();
        await(
                "every instance serving, size 2 and one leader",
                () -> instances.stream()
                                .allMatch(i -> i.alive()
                                        && System.nanoTime() - i.seen().at() < fresh)
                        && replicas() == 2
                        && leading() != null);
        return leading();
    }

    private void inject(Fault fault, Instance leader, List<Instance> killed, AtomicLong reference) throws Exception {
        Duration session = options.session();
        switch (fault) {
            case NONE -> reference.set(System.nanoTime());
            case KILL -> {
                reference.set(System.nanoTime());
                kill(leader, killed);
            }
            case FREEZE -> {
                reference.set(System.nanoTime());
                leader.freeze();
                Thread.sleep(session.plusMillis(1500).toMillis());
                leader.thaw();
            }
            case HELD_WRITE -> {
                long before = load.get();
                CountDownLatch frozen = new CountDownLatch(1);
                held.set(before == 1200 ? 600 : 1200);
                publishLoad();
                api.holdNextWrite(leader.id(), session.plusMillis(2000), () -> {
                    try {
                        leader.freeze();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    frozen.countDown();
                });
                if (!frozen.await(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException(leader.id() + " wrote nothing within 10 s");
                }
                reference.set(System.nanoTime());
                held.set(before);
                publishLoad();
                Thread.sleep(session.plusMillis(1500).toMillis());
                leader.thaw();
                // The held write lands half a second after the thaw; the script resumes a second after that.
                Thread.sleep(1500);
                held.set(-1);
            }
            case PARTITION -> {
                reference.set(System.nanoTime());
                leader.partition();
                Thread.sleep(session.plusMillis(1500).toMillis());
                leader.heal();
            }
            case ZK_MEMBER -> {
                int member = Math.max(0, leader.zooKeeperMember());
                reference.set(System.nanoTime());
                ensemble.kill(member);
                Thread.sleep(4000);
                ensemble.start(member);
            }
            case QUORUM -> {
                int member = Math.max(0, leader.zooKeeperMember());
                int other = (member + 1 + random.nextInt(2)) % Ensemble.SIZE;
                ensemble.kill(member);
                ensemble.kill(other);
                Thread.sleep(session.plusMillis(2000).toMillis());
                ensemble.start(member);
                ensemble.start(other);
                // Restored when the ensemble serves again (the servers' own start-up is not the controllers' time).
                ensemble.awaitServing(Duration.ofSeconds(60));
                reference.set(System.nanoTime());
                // A new size is due, so that the first write after the restore shows when the controllers act again.
                held.set(load.get() == 1200 ? 600 : 1200);
                publishLoad();
            }
            case API_SLOW -> {
                instances.forEach(i -> i.apiDelay(Duration.ofSeconds(5)));
                reference.set(System.nanoTime());
                kill(leader, killed);
                Thread.sleep(session.plusMillis(3000).toMillis());
                instances.forEach(i -> i.apiDelay(Duration.ZERO));
            }
            case API_FAULTS -> {
                api.errors(0.3);
                instances.forEach(i -> i.apiDelay(Duration.ofMillis(random.nextInt(2000))));
                ScheduledFuture<?> resets = loader.scheduleAtFixedRate(
                        () -> instances.forEach(Instance::dropApiConnections), 0, 700, TimeUnit.MILLISECONDS);
                reference.set(System.nanoTime());
                kill(leader, killed);
                Thread.sleep(session.plusMillis(2000).toMillis());
                resets.cancel(false);
                instances.forEach(i -> i.apiDelay(Duration.ZERO));
                api.errors(0);
            }
            case CONFIG -> {
                reference.set(System.nanoTime());
                kill(leader, killed);
                Thread.sleep(500);
                configure(50);
            }
        }
    }

    private static void kill(Instance leader, List<Instance> killed) throws InterruptedException {
        killed.add(leader);
        leader.kill();
    }

    /** Undoes what a trial left: the config, killed instances started again, instances that died started again. */
    private void clear() throws Exception {
        held.set(-1);
        configure(80);
        for (Instance i : instances) {
            if (!i.alive()) {
                i.restart();
            }
        }
    }

    private Result judge(
            Fault fault,
            int number,
            int mark,
            long floor,
            long startMillis,
            long start,
            long reference,
            List<Sample> sizes,
            List<long[]> led,
            List<Instance> killed) {
        List<FaultyApi.Write> writes = api.writes(mark);
        int attempted = 0;
        List<String> accepted = new ArrayList<>();
        long referenceMillis = startMillis + TimeUnit.NANOSECONDS.toMillis(reference - start);
        Long recoveredAt = null;
        for (FaultyApi.Write w : writes) {
            long newest = epochs.newestBefore(w.arrived());
            if (w.epoch() < newest) {
                attempted++;
                if (w.accepted()) {
                    accepted.add(String.format(
                            Locale.ROOT,
                            "%s %s at epoch %d (newest %d) to %d replicas, %d ms after the reference: %d",
                            w.sender(),
                            w.method(),
                            w.epoch(),
                            newest,
                            w.replicas(),
                            w.arrived() - referenceMillis,
                            w.status()));
                }
            } else if (recoveredAt == null && correct(w, referenceMillis, floor)) {
                recoveredAt = w.arrived();
            }
        }
        long leaderless = 0;
        for (int i = 1; i < led.size(); i++) {
            if (led.get(i - 1)[0] >= reference && led.get(i - 1)[1] == 0) {
                leaderless += led.get(i)[0] - led.get(i - 1)[0];
            }
        }
        Double recovery = recoveredAt == null ? null : (recoveredAt - referenceMillis) / 1000.0;
        Double changed = null;
        if (fault.comparable() && baseline != null && recoveredAt != null) {
            long from = recoveredAt - startMillis + 1000;
            long differing = sizes.stream()
                    .filter(s -> s.offsetMillis() >= from && s.offsetMillis() <= WINDOW.toMillis())
                    .filter(s -> baseline.stream()
                            .noneMatch(b -> Math.abs(b.offsetMillis() - s.offsetMillis()) <= TOLERANCE.toMillis()
                                    && b.replicas() == s.replicas()))
                    .count();
            changed = differing * SAMPLE.toMillis() / 1000.0;
        }
        List<String> exits = instances.stream()
                .filter(i -> !i.alive() && !killed.contains(i) && !i.portTakenAtStart())
                .map(i -> i.id() + " exited with " + i.exitValue() + " (" + i.log() + ")")
                .toList();
        return new Result(fault, number, attempted, leaderless / 1e9, recovery, changed, exits, accepted);
    }

    // --- observing ----------------------------------------------------------------------------------------------

    /** Whether some instance that answers reports the latch with ZooKeeper's newest epoch. */
    private boolean led() {
        return leading() != null;
    }

    private Instance leading() {
        long newest = epochs.newest();
        long fresh = Instance.POLL.multipliedBy(3).toNanos();
        return newest == 0
                ? null
                : instances.stream()
                        .filter(i -> i.alive() && i.leadsWith(newest, fresh))
                        .findFirst()
                        .orElse(null);
    }

    /** Whether a correct write has come since the reference moment. */
    private boolean recovered(int mark, long reference, long floor) {
        if (reference < 0) {
            return false;
        }
        long referenceMillis =
                System.currentTimeMillis() - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - reference);
        return api.writes(mark).stream().anyMatch(w -> correct(w, referenceMillis, floor));
    }

    /** Accepted, after the reference moment, not stale, and of epoch {@code floor} or newer. */
    private boolean correct(FaultyApi.Write w, long referenceMillis, long floor) {
        return w.accepted()
                && w.arrived() >= referenceMillis
                && w.epoch() >= floor
                && w.epoch() >= epochs.newestBefore(w.arrived());
    }

    private int replicas() {
        try {
            Deployment d =
                    admin.apps().deployments().inNamespace(NS).withName(NAME).get();
            return d.getSpec().getReplicas();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    // --- the world ----------------------------------------------------------------------------------------------

    /** The target's config in ZooKeeper: max 10 replicas, this CPU target, scale-down window 4 s. */
    private void configure(int targetPercent) throws Exception {
        String path = ROOT + "/targets/" + NS + "/" + NAME;
        byte[] config = ("{\"maxReplicas\": 10, \"targetCPUUtilizationPercentage\": " + targetPercent
                        + ", \"behavior\": {\"scaleDown\": {\"stabilizationWindowSeconds\": 4}}}")
                .getBytes(StandardCharsets.UTF_8);
        if (zk.checkExists().forPath(path) == null) {
            zk.create().creatingParentsIfNeeded().forPath(path, config);
        } else {
            zk.setData().forPath(path, config);
        }
    }

    /** metrics-server: both pods use the current load, stamped now. */
    private void publishLoad() {
        try {
            Fixtures.publishUsage(admin, NS, NAME, WEB, 2, load.get() + "m");
        } catch (RuntimeException e) {
            // the next publication, a second later, tries again
        }
    }

    private void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "timed out waiting for " + what + " (" + world() + "); logs in " + options.out());
            }
            Thread.sleep(100);
        }
    }

    /** What the campaign sees now: each instance's last answer, the newest epoch and the size. */
    private String world() {
        long now = System.nanoTime();
        StringBuilder out = new StringBuilder("newest epoch " + epochs.newest() + ", size " + replicas());
        for (Instance i : instances) {
            Instance.Seen s = i.seen();
            out.append(String.format(
                    Locale.ROOT,
                    "; %s %s, answered %d ms ago, leader %s, epoch %d",
                    i.id(),
                    i.alive() ? "alive" : "exited",
                    TimeUnit.NANOSECONDS.toMillis(now - s.at()),
                    s.leader(),
                    s.epoch()));
        }
        return out.toString();
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left = nanoTime - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    @Override
    public void close() throws Exception {
        loader.shutdownNow();
        faults.shutdownNow();
        for (Instance i : instances) {
            i.close();
        }
        epochs.close();
        api.close();
        zk.close();
        ensemble.close();
    }

    // --- the report ---------------------------------------------------------------------------------------------

    static String line(Result r) {
        return String.format(
                Locale.ROOT,
                "[trial] %-10s #%-2d stale %d/%d, leaderless %.1f s, recovery %s, changed %s, exits %s%s",
                r.fault().option(),
                r.trial(),
                r.staleAttempted(),
                r.staleAccepted().size(),
                r.leaderless(),
                r.recovery() == null ? "none" : String.format(Locale.ROOT, "%.1f s", r.recovery()),
                r.changed() == null ? "-" : String.format(Locale.ROOT, "%.2f s", r.changed()),
                r.exits().isEmpty() ? "none" : String.join("; ", r.exits()),
                r.staleAccepted().stream()
                        .map(w -> "\n        stale write accepted: " + w)
                        .collect(Collectors.joining()));
    }

    /** The table of issue 17, in Markdown, and the goals with their verdicts. */
    static String table(List<Result> results, Duration session) {
        Map<Fault, List<Result>> byFault = new EnumMap<>(Fault.class);
        results.forEach(
                r -> byFault.computeIfAbsent(r.fault(), f -> new ArrayList<>()).add(r));
        StringBuilder out = new StringBuilder();
        out.append("| fault | trials | stale writes attempted / accepted | leaderless p50 / max (s) "
                + "| recovery p50 / max (s) | decisions changed: trials / p50 / max (s) | exits |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|\n");
        Map<String, Boolean> goals = new LinkedHashMap<>();
        for (Map.Entry<Fault, List<Result>> e : byFault.entrySet()) {
            List<Result> rs = e.getValue();
            List<Double> leaderless = rs.stream().map(Result::leaderless).toList();
            List<Double> recovery = rs.stream()
                    .map(r -> r.recovery() == null ? Double.POSITIVE_INFINITY : r.recovery())
                    .toList();
            List<Double> changed =
                    rs.stream().map(Result::changed).filter(c -> c != null).toList();
            long changedTrials = changed.stream().filter(c -> c > 0).count();
            out.append(String.format(
                    Locale.ROOT,
                    "| %s | %d | %d / %d | %s | %s | %s | %d |%n",
                    e.getKey().description,
                    rs.size(),
                    rs.stream().mapToInt(Result::staleAttempted).sum(),
                    rs.stream().mapToInt(r -> r.staleAccepted().size()).sum(),
                    p50max(leaderless),
                    p50max(recovery),
                    changed.isEmpty() ? "-" : changedTrials + " / " + p50max(changed),
                    rs.stream().mapToInt(r -> r.exits().size()).sum()));
        }
        double limit = session.toMillis() / 1000.0;
        goals.put(
                "0 stale writes accepted",
                results.stream().allMatch(r -> r.staleAccepted().isEmpty()));
        goals.put(
                "leaderless <= session + 1 s after kill -9",
                byFault.getOrDefault(Fault.KILL, List.of()).stream().allMatch(r -> r.leaderless() <= limit + 1));
        goals.put(
                "leader within 2 x session after quorum restored",
                byFault.getOrDefault(Fault.QUORUM, List.of()).stream().allMatch(r -> r.leaderless() <= 2 * limit));
        goals.put(
                "no process exit but the killed one",
                results.stream().allMatch(r -> r.exits().isEmpty()));
        out.append(String.format(Locale.ROOT, "%n%d trials, session timeout %.0f s. Goals:%n", results.size(), limit));
        goals.forEach((goal, met) -> out.append("- ")
                .append(goal)
                .append(": ")
                .append(met ? "met" : "NOT met")
                .append('\n'));
        return out.toString();
    }

    private static String p50max(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return format(sorted.get((sorted.size() - 1) / 2)) + " / " + format(sorted.get(sorted.size() - 1));
    }

    private static String format(double seconds) {
        return Double.isInfinite(seconds) ? "none" : String.format(Locale.ROOT, "%.1f", seconds);
    }

    // --- the command --------------------------------------------------------------------------------------------

    /**
     * Runs the campaign by hand (needs the packaged jar, {@code ./mvnw -B package -DskipTests}); see
     * docs/campaign.md. Options: {@code --trials N} per fault (13), {@code --faults a,b,...} (all but none, with 3
     * fault-free trials first), {@code --session-ms} (3000), {@code --seed} (1), {@code --patience-ms} (20000).
     */
    public static void main(String[] args) throws Exception {
        int trials = 13;
        List<Fault> chosen = List.of(Fault.values()).subList(1, Fault.values().length);
        long session = 3000;
        long seed = 1;
        long patience = 20_000;
        for (int i = 0; i < args.length; i += 2) {
            String value = args[i + 1];
            switch (args[i]) {
                case "--trials" -> trials = Integer.parseInt(value);
                case "--faults" ->
                    chosen = List.of(value.split(",")).stream().map(Fault::of).toList();
                case "--session-ms" -> session = Long.parseLong(value);
                case "--seed" -> seed = Long.parseLong(value);
                case "--patience-ms" -> patience = Long.parseLong(value);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Map<Fault, Integer> plan = new LinkedHashMap<>();
        plan.put(Fault.NONE, 3);
        for (Fault f : chosen) {
            plan.put(f, f == Fault.NONE ? 3 : trials);
        }
        List<Result> results = run(new Options(
                plan, Duration.ofMillis(session), seed, Path.of("target", "campaign"), Duration.ofMillis(patience)));
        boolean met = results.stream()
                .allMatch(r -> r.staleAccepted().isEmpty() && r.exits().isEmpty());
        System.exit(met ? 0 : 1);
    }
}
