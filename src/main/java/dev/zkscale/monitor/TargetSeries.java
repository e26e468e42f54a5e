package dev.zkscale.monitor;

import dev.zkscale.core.Outcome;
import dev.zkscale.core.Policy;
import dev.zkscale.core.TargetRef;
import dev.zkscale.loop.ScaleWriter.WriteResult.Result;
import io.micrometer.core.instrument.Tag;
import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The per-target series of one {@link PrometheusMonitor}: a table of each target's latest values, which the loop
 * updates, rendered into Prometheus samples only when a registry is scraped. One Micrometer meter per target and series
 * (18 a target, about 500 bytes each: 85 MiB at 10,000 targets) is what this replaces; a row is a few hundred bytes.
 *
 * <p>The samples are those the meters gave: the same names, HELP, TYPE, labels (sorted by name, with the registry's
 * common tags, such as the demo's {@code controller}) and values. A family shows once a target has a value for it, as
 * a meter registered then would: the config series at the first config read, the decision series at the first
 * decision or write, the config version at the first report of it, a policy's recommendation once a decision had that
 * policy. A target's counters ({@code zkscale_scale_operations_total}, {@code zkscale_config_rejected_total}) only
 * grow while its row lives; {@link #forget} drops the row, and with it every series of the target.
 *
 * <p>Each Prometheus registry gets one collector, shared by every table exported to it (the demo runs two controllers
 * on one registry), so that a family is written once. Threads: the loop writes a row's volatile fields; scrapes read
 * them from other threads and may see one pass's values half applied, as they could with meters.
 */
final class TargetSeries implements AutoCloseable {
    private final Clock clock;
    private final List<String> commonValues = new ArrayList<>();
    private final Map<Family, Layout> layouts = new EnumMap<>(Family.class);
    private final Map<TargetRef, Row> rows = new ConcurrentHashMap<>();
    private final List<CollectorRegistry> registries;

    /** The families, as Micrometer named and described the meters they replace. */
    private enum Family {
        CURRENT("zkscale_target_current_replicas", "spec replicas seen at the last decision"),
        DESIRED("zkscale_target_desired_replicas", "replicas decided"),
        UTILIZATION(
                "zkscale_target_cpu_utilization_percent",
                "current CPU utilization, percent of request (NaN when no decision could be made)"),
        TARGET("zkscale_target_cpu_target_percent", "configured target utilization"),
        MIN("zkscale_target_min_replicas", "configured minReplicas"),
        MAX("zkscale_target_max_replicas", "configured maxReplicas (capped)"),
        SAMPLE_AGE(
                "zkscale_target_cpu_sample_age_seconds",
                "age of the newest CPU sample the last decisions saw (NaN before the first)"),
        RECOMMENDED(
                "zkscale_target_recommended_replicas",
                "an algorithm's proposal before stabilization, rate limits and bounds (NaN when none was computed)",
                "algorithm"),
        WRITES(
                "zkscale_scale_operations",
                Collector.Type.COUNTER,
                "scale writes by direction and result",
                "direction",
                "result"),
        LAST_DECISION(
                "zkscale_target_last_decision",
                "1, labelled with the action and reason of the target's last decision",
                "action",
                "reason"),
        CONFIG_REJECTED(
                "zkscale_target_config_rejected",
                "1 while the target's config ZNode is rejected (the last good config, if any, is in use), else 0"),
        REJECTIONS("zkscale_config_rejected", Collector.Type.COUNTER, "invalid config ZNodes seen"),
        CONFIG_VERSION("zkscale_config_version", "the data version of the target's config ZNode in force");

        final String name;
        final Collector.Type type;
        final String help;
        /** The labels of the family's own, after {@code namespace} and {@code target}. */
        final List<String> labels;

        Family(String name, String help, String... labels) {
            this(name, Collector.Type.GAUGE, help, labels);
        }

        Family(String name, Collector.Type type, String help, String... labels) {
            this.name = name;
            this.type = type;
            this.help = help;
            this.labels = List.of(labels);
        }

        String sampleName() {
            return type == Collector.Type.COUNTER ? name + "_total" : name;
        }
    }

    /**
     * A family's label names in this table, sorted as Micrometer sorts tags, and where each value comes from: {@code
     * from[i] >= 0} is the index in {@code namespace, target, <the family's own labels>}, {@code from[i] < 0} the
     * common tag {@code -from[i] - 1}.
     */
    private record Layout(List<String> names, int[] from) {}

    /**
     * One target's latest values, and which of its families exist. Written by the loop's thread.
     *
     * <p>The sizes, utilization and bounds are NaN until known; {@code outcome} is null until the first decision or
     * skip, {@code policy} null until a decision had a policy.
     */
    static final class Row {
        private final String namespace;
        private final String name;
        volatile double current = Double.NaN;
        volatile double desired = Double.NaN;
        volatile double recommended = Double.NaN;
        volatile double policyRecommended = Double.NaN;
        volatile double utilization = Double.NaN;
        volatile double target = Double.NaN;
        volatile double min = Double.NaN;
        volatile double max = Double.NaN;
        volatile Instant newestSample;
        volatile double configRejected;
        volatile double configVersion = Double.NaN;
        volatile Policy.Type policy;
        volatile Outcome outcome;
        volatile boolean config;
        volatile boolean decided;
        volatile boolean versioned;
        private final AtomicLong rejections = new AtomicLong();
        private final AtomicLongArray writes = new AtomicLongArray(2 * Result.values().length);

        private Row(TargetRef target) {
            this.namespace = target.namespace();
            this.name = target.name();
        }

        /** Counts a rejected config ZNode. */
        void rejected() {
            configRejected = 1;
            rejections.incrementAndGet();
        }

        /** Counts a scale write. */
        void write(boolean up, Result result) {
            writes.incrementAndGet(index(up, result));
        }

        private static int index(boolean up, Result result) {
            return (up ? 0 : Result.values().length) + result.ordinal();
        }
    }

    /**
     * @param clock what the CPU sample age is measured by
     * @param common the labels every meter of the monitor's registry gets (its common tags)
     * @param registries where the series are scraped from (none: they are kept, and shown nowhere)
     */
    TargetSeries(Clock clock, Iterable<Tag> common, List<CollectorRegistry> registries) {
        this.clock = clock;
        Map<String, Integer> sorted = new TreeMap<>();
        List<String> commonKeys = new ArrayList<>();
        for (Tag tag : common) {
            commonKeys.add(tag.getKey());
            commonValues.add(tag.getValue());
        }
        for (Family family : Family.values()) {
            List<String> own = new ArrayList<>(List.of("namespace", "target"));
            own.addAll(family.labels);
            sorted.clear();
            for (int i = 0; i < commonKeys.size(); i++) {
                sorted.put(commonKeys.get(i), -i - 1);
            }
            for (int i = 0; i < own.size(); i++) {
                sorted.put(own.get(i), i);
            }
            layouts.put(
                    family,
                    new Layout(
                            List.copyOf(sorted.keySet()),
                            sorted.values().stream().mapToInt(Integer::intValue).toArray()));
        }
        this.registries = List.copyOf(registries);
        this.registries.forEach(r -> Exporter.attach(r, this));
    }

    /** The target's row, made empty (no series) if it has none. */
    Row row(TargetRef target) {
        return rows.computeIfAbsent(target, Row::new);
    }

    /** Drops the target's row: its series are gone from the next scrape. */
    void forget(TargetRef target) {
        rows.remove(target);
    }

    /** Drops every row and leaves the registries. */
    @Override
    public void close() {
        registries.forEach(r -> Exporter.detach(r, this));
        rows.clear();
    }

    private void render(Map<Family, List<Collector.MetricFamilySamples.Sample>> out) {
        Instant now = clock.instant();
        for (Row r : rows.values()) {
            if (r.config) {
                sample(out, Family.CONFIG_REJECTED, r, r.configRejected);
                sample(out, Family.REJECTIONS, r, r.rejections.get());
            }
            if (r.versioned) {
                sample(out, Family.CONFIG_VERSION, r, r.configVersion);
            }
            Outcome outcome = r.outcome;
            if (outcome != null) {
                sample(
                        out,
                        Family.LAST_DECISION,
                        r,
                        1,
                        outcome.action().label(),
                        outcome.reason().label());
            }
            if (r.decided) {
                decision(out, r, now);
            }
        }
    }

    private void decision(Map<Family, List<Collector.MetricFamilySamples.Sample>> out, Row r, Instant now) {
        sample(out, Family.CURRENT, r, r.current);
        sample(out, Family.DESIRED, r, r.desired);
        sample(out, Family.UTILIZATION, r, r.utilization);
        sample(out, Family.TARGET, r, r.target);
        sample(out, Family.MIN, r, r.min);
        sample(out, Family.MAX, r, r.max);
        Instant newest = r.newestSample;
        sample(
                out,
                Family.SAMPLE_AGE,
                r,
                newest == null ? Double.NaN : Duration.between(newest, now).toMillis() / 1000.0);
        sample(out, Family.RECOMMENDED, r, r.recommended, "HPA");
        Policy.Type policy = r.policy;
        if (policy != null) {
            sample(out, Family.RECOMMENDED, r, r.policyRecommended, policy.name());
        }
        for (boolean up : new boolean[] {true, false}) {
            for (Result result : Result.values()) {
                sample(
                        out,
                        Family.WRITES,
                        r,
                        r.writes.get(Row.index(up, result)),
                        up ? "up" : "down",
                        result.name().toLowerCase(Locale.ROOT));
            }
        }
    }

    private void sample(
            Map<Family, List<Collector.MetricFamilySamples.Sample>> out,
            Family family,
            Row r,
            double value,
            String... labels) {
        Layout layout = layouts.get(family);
        String[] values = new String[layout.from().length];
        for (int i = 0; i < values.length; i++) {
            int from = layout.from()[i];
            values[i] = from < 0
                    ? commonValues.get(-from - 1)
                    : from == 0 ? r.namespace : from == 1 ? r.name : labels[from - 2];
        }
        out.computeIfAbsent(family, f -> new ArrayList<>())
                .add(new Collector.MetricFamilySamples.Sample(
                        family.sampleName(), layout.names(), Arrays.asList(values), value));
    }

    /** The one collector of a Prometheus registry, rendering every table exported to it. */
    private static final class Exporter extends Collector {
        /** Guarded by the class: the collector of each registry that has tables. */
        private static final Map<CollectorRegistry, Exporter> BY_REGISTRY = new WeakHashMap<>();

        private final List<TargetSeries> tables = new CopyOnWriteArrayList<>();

        static synchronized void attach(CollectorRegistry registry, TargetSeries table) {
            BY_REGISTRY
                    .computeIfAbsent(registry, r -> {
                        Exporter exporter = new Exporter();
                        r.register(exporter);
                        return exporter;
                    })
                    .tables
                    .add(table);
        }

        static synchronized void detach(CollectorRegistry registry, TargetSeries table) {
            Exporter exporter = BY_REGISTRY.get(registry);
            if (exporter != null && exporter.tables.remove(table) && exporter.tables.isEmpty()) {
                BY_REGISTRY.remove(registry);
                registry.unregister(exporter);
            }
        }

        @Override
        public List<MetricFamilySamples> collect() {
            Map<Family, List<MetricFamilySamples.Sample>> samples = new EnumMap<>(Family.class);
            tables.forEach(t -> t.render(samples));
            List<MetricFamilySamples> families = new ArrayList<>();
            samples.forEach((f, s) -> families.add(new MetricFamilySamples(f.name, f.type, f.help, s)));
            return families;
        }
    }
}
