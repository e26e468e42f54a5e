package dev.zkscale.demo;

import java.time.Instant;

/**
 * What the summary reports, gathered as the story goes. The audit counts the writes on the API server's thread, under
 * its lock; the failover watcher writes the volatile fields; the story's thread the rest.
 */
final class StoryStats {
    int passesRun;
    int passesOverTarget;
    double peakUtilization = -1;
    Instant peakUtilizationAt;
    int peakReplicas;
    Instant peakReplicasAt;
    int lastReplicas;
    int up;
    int down;
    int refused;
    Instant failoverAt;
    long failoverNanos;
    String deposed;
    volatile long takeoverNanos;
    volatile long takeoverEpoch;
    volatile String successor;
    Instant firstSuccessorWrite;
    long lastWriteEpoch = -1;
    /** The epoch and the instance of the last leader the story announced. */
    long leaderEpoch = -1;

    String leaderName;
}
