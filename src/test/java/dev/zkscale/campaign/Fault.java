package dev.zkscale.campaign;

import java.util.Locale;

/**
 * The faults of the campaign, each injected at a random moment of a trial (see {@link Campaign}). Where a fault
 * deposes the leader, the trial's reference moment is the injection; for {@link #QUORUM} it is the restore.
 */
enum Fault {
    /** No fault: the fault-free run the others are compared with, and the noise floor of the comparison. */
    NONE("no fault"),
    /** {@code kill -9} of the leader's JVM (it is started again after the trial). */
    KILL("kill -9 of the leader"),
    /** {@code SIGSTOP} of the leader for the session timeout + 1.5 s, then {@code SIGCONT}. */
    FREEZE("SIGSTOP of the leader > session, then SIGCONT"),
    /**
     * The leader's next write is held in the API server (a slow webhook) for the session timeout + 2 s and the leader
     * is frozen ({@code SIGSTOP}) as that write arrives, for the session timeout + 1.5 s; the load goes back, so the
     * new leader needs no change. The held write then lands after the new leader's epoch: it must be refused. The
     * script resumes after the thaw, so its recovery includes the hold.
     */
    HELD_WRITE("leader frozen, its write held in the API server past a takeover"),
    /** The leader's links to every ZooKeeper member swallow all bytes for the session timeout + 1.5 s. */
    PARTITION("leader cut off from ZooKeeper, API reachable"),
    /** {@code kill -9} of the ZooKeeper member the leader is connected to; started again after 4 s. */
    ZK_MEMBER("kill -9 of the leader's ZooKeeper member"),
    /**
     * Two of three ZooKeeper members killed (the leader's among them) for the session + 2 s, then restarted; once the
     * ensemble serves again the load changes, so that a write is due.
     */
    QUORUM("quorum lost (2 of 3 down), then restored"),
    /** Every controller's link to the API server holds each chunk 5 s; the leader is killed; slow until +S+3 s. */
    API_SLOW("API server slow (5 s) during a takeover"),
    /** 30% of requests answered 429/500/503, connections reset every 0.7 s, 0-2 s latency; the leader is killed. */
    API_FAULTS("429/5xx, resets, latency during a takeover"),
    /** The leader is killed and the target's config changes (target 80% to 50%) while no one leads. */
    CONFIG("config change during a failover");

    final String description;

    Fault(String description) {
        this.description = description;
    }

    /** The command-line name: {@code kill}, {@code zk-member}, ... */
    String option() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static Fault of(String option) {
        for (Fault f : values()) {
            if (f.option().equals(option)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown fault " + option + "; known: none, kill, freeze, held-write, "
                + "partition, zk-member, quorum, api-slow, api-faults, config");
    }

    /** Whether the leader at injection loses its term (killed, frozen, cut off): then recovery needs a new term. */
    boolean deposes() {
        return this != NONE && this != ZK_MEMBER && this != QUORUM;
    }

    /** Whether the load follows the trial's script throughout, so the sizes can be compared with a fault-free run. */
    boolean comparable() {
        return this != CONFIG && this != HELD_WRITE && this != QUORUM;
    }
}
