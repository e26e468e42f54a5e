package dev.zkscale.monitor;

import dev.zkscale.core.Decision;
import dev.zkscale.core.TargetConfig;
import dev.zkscale.core.TargetRef;
import dev.zkscale.loop.Cluster;
import dev.zkscale.loop.Leadership;
import dev.zkscale.loop.Monitor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The loop's metrics in Micrometer, exported at {@code /q/metrics} (CONTRACT section 6). Per-target series carry
 * {@code namespace} and {@code target} labels and disappear when the target does; no label ever holds a pod name.
 * {@link #close()} removes every meter it registered (the registry may outlive this instance).
 */
public final class PrometheusMonitor implements Monitor, AutoCloseable {
    private final MeterRegistry registry;
    private final Timer passes;
    private final List<Meter> global = new ArrayList<>();
    private final Map<TargetRef, Series> series = new ConcurrentHashMap<>();
    private final Map<TargetRef, Meter.Id> rejected = new ConcurrentHashMap<>();
    /** The data version of each target's config in force ({@code zkscale_config_version}), and its gauge. */
    private final Map<TargetRef, ConfigVersion> configVersions = new ConcurrentHashMap<>();

    private static final class ConfigVersion {
        volatile double version;
        Meter.Id meter;
    }

    /** One target's gauges' values and the meters that read them. */
    private static final class Series {
        volatile double current = Double.NaN;
        volatile double desired = Double.NaN;
        volatile double utilization = Double.NaN;
        volatile double target = Double.NaN;
        volatile double min = Double.NaN;
        volatile double max = Double.NaN;
        final Set<Meter.Id> meters = ConcurrentHashMap.newKeySet();
    }

    public PrometheusMonitor(MeterRegistry registry, Leadership leadership) {
        this.registry = registry;
        this.passes = Timer.builder("zkscale.decision.duration").description("one pass of the control loop")
                .publishPercentileHistogram().register(registry);
        global.add(passes);
        global.add(Gauge.builder("zkscale.leader", leadership, l -> l.epoch().isPresent() ? 1 : 0)
                .description("1 on the instance that holds the leader latch (with a current epoch), else 0")
                .register(registry));
        global.add(Gauge.builder("zkscale.leader.epoch", leadership, l -> l.epoch().orElse(0))
                .description("the epoch of this instance's leadership term, 0 when it does not lead")
                .register(registry));
        global.add(Gauge.builder("zkscale.zookeeper.connected", leadership, l -> l.connected() ? 1 : 0)
                .description("1 while the ZooKeeper session is connected").register(registry));
    }

    @Override
    public void decided(TargetRef target, TargetConfig config, Decision decision) {
        Series s = series.computeIfAbsent(target, this::register);
        s.current = decision.currentReplicas();
        s.desired = decision.desiredReplicas();
        s.utilization = decision.utilizationPercent() == null ? Double.NaN : decision.utilizationPercent();
        s.target = config.targetCPUUtilizationPercentage();
        s.min = config.minReplicas();
        s.max = config.maxReplicas();
    }

    private Series register(TargetRef target) {
        Series s = new Series();
        Tags tags = tags(target);
        s.meters.add(gauge("zkscale.target.current.replicas", "spec replicas seen at the last decision", tags, s,
                x -> x.current));
        s.meters.add(gauge("zkscale.target.desired.replicas", "replicas decided", tags, s, x -> x.desired));
        s.meters.add(gauge("zkscale.target.cpu.utilization.percent", "current CPU utilization, percent of request "
                + "(NaN when no decision could be made)", tags, s, x -> x.utilization));
        s.meters.add(gauge("zkscale.target.cpu.target.percent", "configured target utilization", tags, s,
                x -> x.target));
        s.meters.add(gauge("zkscale.target.min.replicas", "configured minReplicas", tags, s, x -> x.min));
        s.meters.add(gauge("zkscale.target.max.replicas", "configured maxReplicas (capped)", tags, s, x -> x.max));
        return s;
    }

    private Meter.Id gauge(String name, String help, Tags tags, Series s, java.util.function.ToDoubleFunction<Series> f) {
        return Gauge.builder(name, s, f).description(help).tags(tags).register(registry).getId();
    }

    private static Tags tags(TargetRef target) {
        return Tags.of("namespace", target.namespace(), "target", target.name());
    }

    @Override
    public void scaleWrite(TargetRef target, boolean up, Cluster.WriteResult.Result result) {
        Counter c = Counter.builder("zkscale.scale.operations").description("scale writes by direction and result")
                .tags(tags(target)).tag("direction", up ? "up" : "down")
                .tag("result", result.name().toLowerCase(Locale.ROOT)).register(registry);
        c.increment();
        series.computeIfAbsent(target, this::register).meters.add(c.getId());
    }

    @Override
    public void configRejected(TargetRef target) {
        Counter c = Counter.builder("zkscale.config.rejected").description("invalid config ZNodes seen")
                .tags(tags(target)).register(registry);
        c.increment();
        rejected.put(target, c.getId());
    }

    @Override
    public void configVersion(TargetRef target, int version) {
        configVersions.computeIfAbsent(target, t -> {
            ConfigVersion v = new ConfigVersion();
            v.version = version;
            v.meter = Gauge.builder("zkscale.config.version", v, x -> x.version)
                    .description("the data version of the target's config ZNode in force").tags(tags(t))
                    .register(registry).getId();
            return v;
        }).version = version;
    }

    @Override
    public void decisionFailed(String reason) {
        Counter.builder("zkscale.metrics.errors").description("passes where no decision could be made, by reason")
                .tag("reason", reason).register(registry).increment();
    }

    @Override
    public void pass(Duration duration) {
        passes.record(duration);
    }

    @Override
    public void forget(TargetRef target) {
        Series s = series.remove(target);
        if (s != null) {
            s.meters.forEach(registry::remove);
        }
        Meter.Id id = rejected.remove(target);
        if (id != null) {
            registry.remove(id);
        }
        ConfigVersion version = configVersions.remove(target);
        if (version != null) {
            registry.remove(version.meter);
        }
    }

    @Override
    public void close() {
        series.keySet().forEach(this::forget);
        rejected.keySet().forEach(this::forget);
        configVersions.keySet().forEach(this::forget);
        global.forEach(registry::remove);
    }
}
