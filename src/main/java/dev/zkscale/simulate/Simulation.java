package dev.zkscale.simulate;

import dev.zkscale.core.Decider;
import dev.zkscale.core.Decision;
import dev.zkscale.core.History;
import dev.zkscale.core.Mode;
import dev.zkscale.core.Pod;
import dev.zkscale.core.PodMetrics;
import dev.zkscale.core.Snapshot;
import dev.zkscale.core.TargetConfig;
import dev.zkscale.core.TargetRef;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * One config replayed over a demand on a virtual clock, against the pod model of docs/simulate.md ("The model"),
 * through the decision code that {@code run} uses ({@link Decider#decide}). The engine of {@code zkscale simulate}: no
 * I/O; what a caller wants to see of each pass comes to its {@link Listener}.
 *
 * <p>Passes fall at {@code t0, t0 + P, ...} while {@code t <= tEnd} (the trace's first and last second). At each pass
 * the world is seen as it was before that pass's write: the snapshot lists the pods that exist, with samples that are
 * {@code metricsLag} old, and the decision's size is written at once (a {@code DryRun} config never writes; a
 * {@code Paused} one makes no decision). New pods come just after the pass; a scale-down removes the newest pods just
 * after the pass. Times in the snapshots run from {@link #EPOCH} at {@code t0}.
 */
public final class Simulation {
    /** The snapshots' time at the trace's first second. */
    public static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");

    /** The simulated target. */
    public static final TargetRef TARGET = new TargetRef("simulate", "workload");

    /** The initial pods started and turned Ready this long before the first pass. */
    private static final double INITIAL_AGE_SECONDS = 3600;

    private static final long METRICS_WINDOW_SECONDS = 30;
    private static final String CONTAINER = "app";

    private final Demand demand;
    private final PodModel model;
    private final TargetConfig config;
    private final TargetConfig yardstick;
    private final List<Pod.Container> containers;

    /**
     * @param config the config decided with
     * @param yardstick the config whose target and scale-up tolerance measure {@code overTargetPercent} (the first
     *     config of a comparison, so that every config is measured alike)
     */
    public Simulation(Demand demand, PodModel model, TargetConfig config, TargetConfig yardstick) {
        this.demand = demand;
        this.model = model;
        this.config = config;
        this.yardstick = yardstick;
        this.containers = List.of(new Pod.Container(CONTAINER, model.requestMilliCpu(), false));
    }

    /** What a pass saw and decided: the pod counts and demand at the pass's time, before its write. */
    public record Pass(
            long index,
            double t,
            double demandMilliCpu,
            int specReplicas,
            int pendingPods,
            int runningPods,
            int readyPods,
            Snapshot snapshot,
            Decision decision) {

        /** The size decided; the spec itself when no decision was made (a {@code Paused} config). */
        public int desiredReplicas() {
            return decision == null ? specReplicas : decision.desiredReplicas();
        }
    }

    /** Sees every pass, in order. */
    @FunctionalInterface
    public interface Listener {
        Listener NONE = pass -> {};

        void pass(Pass pass) throws IOException;
    }

    /** How many passes the demand's trace takes. */
    public long passes() {
        return (long) Math.floor((demand.trace().last() - demand.trace().first()) / model.syncPeriodSeconds()) + 1;
    }

    /** The pods at the first pass: {@code --initial-replicas}, else the config's {@code minReplicas}. */
    public int initialReplicas() {
        return model.initialReplicas() != null ? model.initialReplicas() : config.minReplicas();
    }

    /** Runs every pass; an exception of the listener ends the run. */
    public Figures run(Listener listener) throws IOException {
        double t0 = demand.trace().first();
        double tEnd = demand.trace().last();
        double period = model.syncPeriodSeconds();
        double lag = model.metricsLagSeconds();
        double limit = model.limitMilliCpu();
        Counters counters = new Counters(model, yardstick);
        Deque<SimPod> alive = new ArrayDeque<>();
        Deque<SimPod> removed = new ArrayDeque<>();
        int created = 0;
        for (; created < initialReplicas(); created++) {
            alive.addLast(new SimPod(podName(created), Double.NEGATIVE_INFINITY, t0 - INITIAL_AGE_SECONDS, 0, t0));
        }
        int spec = alive.size();
        counters.held(spec);
        History history = null;
        for (long k = 0; ; k++) {
            double t = t0 + k * period;
            if (t > tEnd) {
                break;
            }
            // Before t0 the world is as at t0.
            double sampled = Math.max(t - lag, t0);
            while (!removed.isEmpty() && removed.peekFirst().removed < sampled) {
                removed.removeFirst();
            }
            int readyThen = countReady(alive, sampled) + countReady(removed, sampled);
            double share = readyThen == 0 ? 0 : Math.min(demand.at(sampled) / readyThen, limit);
            Instant now = instant(t, t0);
            Instant sampledAt = instant(t - lag, t0);
            List<Pod> pods = new ArrayList<>(alive.size());
            List<PodMetrics> metrics = new ArrayList<>(alive.size());
            int pending = 0;
            int ready = 0;
            for (SimPod pod : alive) {
                int phase = pod.phase(t);
                pending += phase == SimPod.PENDING ? 1 : 0;
                ready += phase == SimPod.READY ? 1 : 0;
                pods.add(pod.view(phase));
                if (pod.exists(sampled) && pod.phase(sampled) != SimPod.PENDING) {
                    double usage = pod.phase(sampled) == SimPod.READY ? share : model.startupMilliCpu();
                    long rounded = (long) Math.floor(usage + 0.5);
                    List<PodMetrics.Usage> containerUsage = List.of(new PodMetrics.Usage(CONTAINER, rounded));
                    metrics.add(new PodMetrics(pod.name, sampledAt, METRICS_WINDOW_SECONDS, containerUsage));
                }
            }
            Snapshot snapshot = new Snapshot(now, TARGET, config, spec, alive.size(), pods, metrics, null, history);
            Decision decision = config.mode() == Mode.Paused ? null : Decider.decide(snapshot);
            double demandNow = demand.at(t);
            counters.pass(spec, demandNow, ready, decision != null && decision.error() != null);
            listener.pass(new Pass(k, t, demandNow, spec, pending, alive.size() - pending, ready, snapshot, decision));
            if (decision == null) {
                continue;
            }
            boolean write = decision.rescale() && config.mode() == Mode.Active;
            // As run keeps it: the scale event is remembered only once written (here a write always succeeds).
            history = write ? decision.historyAfterWrite() : decision.historyBeforeWrite();
            if (write) {
                int desired = decision.desiredReplicas();
                for (; spec < desired; spec++, created++) {
                    alive.addLast(
                            new SimPod(podName(created), t, t + model.podStartSeconds(), model.podReadySeconds(), t0));
                }
                for (; spec > desired; spec--) {
                    SimPod pod = alive.removeLast();
                    pod.removed = t;
                    removed.addLast(pod);
                }
                counters.wrote(decision.currentReplicas(), desired);
            }
        }
        return counters.figures();
    }

    private String podName(int index) {
        return config.workloadName() + "-" + (index + 1);
    }

    private static int countReady(Iterable<SimPod> pods, double t) {
        int ready = 0;
        for (SimPod pod : pods) {
            if (pod.exists(t) && pod.phase(t) == SimPod.READY) {
                ready++;
            }
        }
        return ready;
    }

    /** The snapshot time of trace second {@code t}. */
    static Instant instant(double t, double t0) {
        double offset = t - t0;
        double whole = Math.floor(offset);
        return EPOCH.plusSeconds((long) whole).plusNanos(Math.round((offset - whole) * 1e9));
    }

    /** One pod of the model; times in trace seconds. */
    private final class SimPod {
        static final int PENDING = 0;
        static final int RUNNING = 1;
        static final int READY = 2;

        final String name;
        /** Created just after the pass at this time: it does not exist at that instant. */
        final double created;

        final double startAt;
        final double readyAt;
        /** Removed just after the pass at this time: it still exists at that instant. */
        double removed = Double.POSITIVE_INFINITY;

        private final Pod[] views = new Pod[3];
        private final Instant startTime;
        private final Instant readyTime;

        SimPod(String name, double created, double startAt, double readySeconds, double t0) {
            this.name = name;
            this.created = created;
            this.startAt = startAt;
            this.readyAt = startAt + readySeconds;
            this.startTime = instant(startAt, t0);
            this.readyTime = instant(readyAt, t0);
        }

        boolean exists(double t) {
            return created < t && t <= removed;
        }

        int phase(double t) {
            return t < startAt ? PENDING : t < readyAt ? RUNNING : READY;
        }

        /** The pod as the API server would list it in that phase (made once per phase). */
        Pod view(int phase) {
            if (views[phase] == null) {
                views[phase] = switch (phase) {
                    case PENDING -> new Pod(name, "Pending", Pod.Readiness.FALSE, false, null, null, containers);
                    case RUNNING -> new Pod(name, "Running", Pod.Readiness.FALSE, false, startTime, null, containers);
                    default -> new Pod(name, "Running", Pod.Readiness.TRUE, false, startTime, readyTime, containers);
                };
            }
            return views[phase];
        }
    }

    /** The figures' running sums. */
    private static final class Counters {
        private final PodModel model;
        private final double targetFraction;
        private final double upTolerance;
        private long passes;
        private long specSum;
        private long overTarget;
        private long saturated;
        private double unserved;
        private double served;
        private double requested;
        private long scaleUps;
        private long scaleDowns;
        private int peak;
        private long undecided;

        Counters(PodModel model, TargetConfig yardstick) {
            this.model = model;
            this.targetFraction = yardstick.targetCPUUtilizationPercentage();
            this.upTolerance = yardstick.scaleUpTolerance();
        }

        void held(int spec) {
            peak = Math.max(peak, spec);
        }

        void pass(int spec, double demand, int ready, boolean undecidedPass) {
            passes++;
            specSum += spec;
            double capacityAtTarget = (double) ready * model.requestMilliCpu() * targetFraction / 100;
            double usable = (double) ready * model.limitMilliCpu();
            if (demand > capacityAtTarget * (1 + upTolerance)) {
                overTarget++;
            }
            if (demand > usable) {
                saturated++;
            }
            unserved += Math.max(0, demand - usable);
            served += Math.min(demand, usable);
            requested += (double) ready * model.requestMilliCpu();
            if (undecidedPass) {
                undecided++;
            }
        }

        void wrote(int from, int to) {
            if (to > from) {
                scaleUps++;
            } else {
                scaleDowns++;
            }
            held(to);
        }

        Figures figures() {
            double period = model.syncPeriodSeconds();
            return new Figures(
                    passes,
                    specSum * period / 3600,
                    100.0 * overTarget / passes,
                    100.0 * saturated / passes,
                    unserved * period / 3_600_000,
                    requested == 0 ? 0 : served / requested * 100,
                    scaleUps,
                    scaleDowns,
                    peak,
                    undecided);
        }
    }
}
