package dev.zkscale.demo;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The demo's Kubernetes time: it stands still during a pass and moves one sync period between passes, set by the
 * story. The controllers decide on it and the simulated pods and metrics are stamped with it, so the HPA's windows
 * (stabilization, readiness, CPU initialization) play out in demo time, however fast the demo runs. ZooKeeper, the
 * HTTP servers and the failover run in real time. Tests use it as their controllable clock.
 */
public final class SteppedClock extends Clock {
    private volatile Instant now;

    public SteppedClock(Instant start) {
        this.now = start;
    }

    public void advance(Duration by) {
        now = now.plus(by);
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
