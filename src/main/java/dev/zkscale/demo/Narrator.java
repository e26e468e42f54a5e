package dev.zkscale.demo;

import dev.zkscale.core.Condition;
import dev.zkscale.core.ConditionType;
import dev.zkscale.core.Decision;
import dev.zkscale.monitor.DecisionRecord;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * What the demo prints: one line per pass, the writes as the API server saw them, the Events as they arrive, and the
 * summary. Writes and Events arrive on other threads; they wait in a queue and are printed between the story's lines.
 */
final class Narrator {
    private final PrintStream out;
    private final SteppedClock clock;
    private final Instant origin;
    private final int targetPercent;
    private final DemoOptions.Failover failover;
    private final StoryStats stats;
    private final List<DemoInstance> instances;
    private final Queue<String> pending = new ConcurrentLinkedQueue<>();

    Narrator(
            PrintStream out,
            SteppedClock clock,
            int targetPercent,
            DemoOptions.Failover failover,
            StoryStats stats,
            List<DemoInstance> instances) {
        this.out = out;
        this.clock = clock;
        this.origin = clock.instant();
        this.targetPercent = targetPercent;
        this.failover = failover;
        this.stats = stats;
        this.instances = instances;
    }

    /** The entry of the instance that decided a pass, with the epoch it held. */
    record Decided(String instance, long epoch, DecisionRecord.Entry entry) {}

    /** The pass's line, after the line of a new leader when it is one. */
    void pass(Instant now, SimulatedWorkload.State state, Decided decided) {
        stats.passesRun++;
        double utilization = state.utilization();
        if (utilization > targetPercent) {
            stats.passesOverTarget++;
        }
        if (utilization > stats.peakUtilization) {
            stats.peakUtilization = utilization;
            stats.peakUtilizationAt = now;
        }
        if (decided != null && decided.epoch() != stats.leaderEpoch) {
            stats.leaderEpoch = decided.epoch();
            stats.leaderName = decided.instance();
            String since = "";
            if (stats.successor != null && decided.epoch() == stats.takeoverEpoch) {
                since = String.format(
                        Locale.ROOT,
                        ", %.2f s (real time) after %s %s",
                        (stats.takeoverNanos - stats.failoverNanos) / 1e9,
                        stats.deposed,
                        leftHow());
            } else if (stats.passesRun > 1) {
                since = " (a new term: it had lost the latch)";
            }
            print(time(now) + "  leader " + decided.instance() + " leads with epoch " + decided.epoch() + since);
        }
        String line;
        if (decided == null) {
            String why = noLeader();
            line = String.format(
                    Locale.ROOT,
                    "%s  load %4.2f  cpu %4s/%d%%  pods %2d/%-2d -> %-2s  leader -  " + "epoch -  %s",
                    time(now),
                    state.demandMilli() / 1000,
                    "-",
                    targetPercent,
                    state.readyPods(),
                    state.specReplicas(),
                    "-",
                    why);
        } else {
            Decision d = decided.entry().decision();
            line = String.format(
                    Locale.ROOT,
                    "%s  load %4.2f  cpu %4s/%d%%  pods %2d/%-2d -> %-2d  leader %s  " + "epoch %d  %s",
                    time(now),
                    state.demandMilli() / 1000,
                    d.utilizationPercent() == null ? "-" : d.utilizationPercent() + "%",
                    targetPercent,
                    d.readyPods(),
                    d.currentReplicas(),
                    d.desiredReplicas(),
                    decided.instance(),
                    decided.epoch(),
                    note(decided.entry()));
        }
        print(line.stripTrailing());
        flush();
    }

    /** Why no instance decided this pass. */
    private String noLeader() {
        if (stats.failoverAt != null && stats.successor == null) {
            return "no leader: " + stats.deposed
                    + (failover == DemoOptions.Failover.CRASH ? "'s session has not expired yet" : " is handing over");
        }
        List<String> why = new ArrayList<>();
        for (DemoInstance instance : instances) {
            if (!instance.running) {
                continue;
            }
            if (!instance.controller.leadership().connected()) {
                why.add(instance.name + " is disconnected from ZooKeeper");
            } else if (instance.controller.leadership().holdsLatch()) {
                why.add(instance.name + " holds the latch and is taking an epoch");
            }
        }
        return "no leader" + (why.isEmpty() ? ": the latch is being handed over" : ": " + String.join(", ", why));
    }

    /** Why the size stays or changes, in a few words. */
    private static String note(DecisionRecord.Entry entry) {
        Decision d = entry.decision();
        if (d.error() != null) {
            return "no decision: " + d.error();
        }
        Condition limited = d.condition(ConditionType.ScalingLimited);
        String note = switch (d.outcome().action()) {
            case UP -> "scale up";
            case DOWN -> "scale down";
            case NONE ->
                switch (d.outcome().reason()) {
                    case STABILIZED, AT_MAX_REPLICAS, AT_MIN_REPLICAS, RATE_LIMITED ->
                        (d.recommendedReplicas() < d.currentReplicas() ? "hold: scale-down window" : "hold")
                                + " (the formula says " + d.recommendedReplicas() + ")";
                    default -> "";
                };
        };
        if (limited != null && limited.status()) {
            note += (note.isEmpty() ? "" : "; ") + "limited: " + limited.reason();
        }
        if (entry.write() != null && !entry.write().startsWith("SUCCESS")) {
            note += "; write " + entry.write();
        }
        return note;
    }

    /** Called by the audit on the API server's thread, once per write: a scale write or a takeover stamp. */
    void written(WriteAudit.Write w) {
        if (w.stamp()) {
            print(String.format(
                    Locale.ROOT,
                    "%s  fence  %s epoch %d: its epoch stamped on the Deployment its first decision did not scale, %s"
                            + " (HTTP %d)",
                    time(w.time()),
                    w.writer(),
                    w.epoch(),
                    w.accepted() ? "accepted" : "refused",
                    w.status()));
            return;
        }
        StringBuilder text = new StringBuilder();
        int from;
        synchronized (stats) {
            from = stats.lastReplicas;
            boolean firstOfEpoch = w.epoch() != stats.lastWriteEpoch;
            long previousEpoch = stats.lastWriteEpoch;
            if (w.accepted()) {
                if (w.replicas() > from) {
                    stats.up++;
                } else if (w.replicas() < from) {
                    stats.down++;
                }
                stats.lastReplicas = w.replicas();
                if (w.replicas() > stats.peakReplicas) {
                    stats.peakReplicas = w.replicas();
                    stats.peakReplicasAt = w.time();
                }
                if (w.writer().equals(stats.successor) && stats.firstSuccessorWrite == null) {
                    stats.firstSuccessorWrite = w.time();
                }
                stats.lastWriteEpoch = w.epoch();
            } else {
                stats.refused++;
            }
            text.append(String.format(
                    Locale.ROOT,
                    "%s  write  %s epoch %d: replicas %d -> %d, %s (HTTP %d)",
                    time(w.time()),
                    w.writer(),
                    w.epoch(),
                    from,
                    w.replicas(),
                    w.accepted() ? "accepted" : "refused",
                    w.status()));
            if (w.accepted() && firstOfEpoch) {
                String indent = "\n              ";
                text.append(indent)
                        .append("the first write of epoch ")
                        .append(w.epoch())
                        .append(", a JSON Patch: ")
                        .append(w.patch());
                if (previousEpoch < 0) {
                    text.append(indent)
                            .append("every write is fenced: it tests the resourceVersion it read and "
                                    + "stamps its leader's epoch on the Deployment");
                } else {
                    text.append(indent)
                            .append("fenced: a write that epoch ")
                            .append(previousEpoch)
                            .append(" prepared before this one now fails its resourceVersion test (HTTP 422);")
                            .append(indent)
                            .append("one prepared after it finds epoch ")
                            .append(w.epoch())
                            .append(" on the Deployment and is never sent");
                }
            }
            if (!w.byLeaderOfItsTime()) {
                text.append("\n              WARNING: ZooKeeper says the latch holder was ")
                        .append(w.latchHolder())
                        .append(" and the epoch ")
                        .append(w.epochCounter());
            }
        }
        pending.add(text.toString());
    }

    /** A handler for an Event informer that prints the Events as they arrive. */
    ResourceEventHandler<Event> events() {
        return new EventPrinter();
    }

    /** Prints the Deployment's Events as the informer sees them arrive. */
    private final class EventPrinter implements ResourceEventHandler<Event> {
        @Override
        public void onAdd(Event e) {
            pending.add(String.format(
                    "%s  event  %s %s: %s", time(clock.instant()), e.getType(), e.getReason(), e.getMessage()));
        }

        @Override
        public void onUpdate(Event before, Event after) {}

        @Override
        public void onDelete(Event e, boolean deletedFinalStateUnknown) {}
    }

    // --- the end -----------------------------------------------------------------------------------------------

    /** The summary, with the writes the audit saw. */
    /** One summary line: how many of {@code writes} came from the leader of their time. */
    private void fromLeaders(String what, List<WriteAudit.Write> writes) {
        long byLeader =
                writes.stream().filter(WriteAudit.Write::byLeaderOfItsTime).count();
        print(String.format(
                Locale.ROOT,
                "  %-17s %d of %d came from the leader of their time (the latch holder, with the newest epoch, per"
                        + " ZooKeeper)%s",
                what,
                byLeader,
                writes.size(),
                byLeader == writes.size() ? "" : ": VIOLATED"));
    }

    void summary(String metricsUrl, long start, List<WriteAudit.Write> writes) {
        print("");
        double real = (System.nanoTime() - start) / 1e9;
        print(String.format(
                Locale.ROOT,
                "summary: %s of cluster time in %.0f s",
                time(origin.plus(Demo.PASS.multipliedBy(stats.passesRun))),
                real));
        synchronized (stats) {
            print(String.format(
                    Locale.ROOT,
                    "  scale operations  %d accepted (%d up, %d down), %d refused",
                    stats.up + stats.down,
                    stats.up,
                    stats.down,
                    stats.refused));
            print(String.format(
                    Locale.ROOT, "  peak replicas     %d at %s", stats.peakReplicas, time(stats.peakReplicasAt)));
        }
        if (stats.failoverAt == null) {
            print("  failover          none (the story ended before halfway)");
        } else if (stats.successor == null) {
            print("  failover          " + stats.deposed + " left at " + time(stats.failoverAt) + "; no successor yet");
        } else {
            print(String.format(
                    Locale.ROOT,
                    "  failover          %s %s at %s; %s led %.2f s later (real time) with " + "epoch %d%s",
                    stats.deposed,
                    leftHow(),
                    time(stats.failoverAt),
                    stats.successor,
                    (stats.takeoverNanos - stats.failoverNanos) / 1e9,
                    stats.takeoverEpoch,
                    stats.firstSuccessorWrite == null
                            ? "; it wrote nothing"
                            : "; its first write at " + time(stats.firstSuccessorWrite)));
        }
        print(String.format(
                Locale.ROOT,
                "  time over target  %s of %s (%d%%) above %d%% CPU; peak %.0f%% at %s",
                minutes(stats.passesOverTarget),
                minutes(stats.passesRun),
                stats.passesRun == 0 ? 0 : Math.round(100.0 * stats.passesOverTarget / stats.passesRun),
                targetPercent,
                Math.max(0, stats.peakUtilization),
                stats.peakUtilizationAt == null ? "-" : time(stats.peakUtilizationAt)));
        fromLeaders("writes", writes.stream().filter(w -> !w.stamp()).toList());
        fromLeaders("stamps", writes.stream().filter(WriteAudit.Write::stamp).toList());
        print("  metrics           were at " + metricsUrl);
    }

    /** How the leader left, in a word. */
    private String leftHow() {
        return failover == DemoOptions.Failover.CRASH ? "crashed" : "stopped";
    }

    private String minutes(int passes) {
        long seconds = Demo.PASS.toSeconds() * passes;
        return String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
    }

    String time(Instant at) {
        long seconds = Duration.between(origin, at).toSeconds();
        return String.format(Locale.ROOT, "%02d:%02d", seconds / 60, seconds % 60);
    }

    void print(String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }

    void flush() {
        String line;
        while ((line = pending.poll()) != null) {
            print(line);
        }
    }
}
