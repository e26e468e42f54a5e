package dev.zkscale.cli;

import dev.zkscale.codec.ConfigNodes;
import dev.zkscale.codec.InvalidInputException;
import dev.zkscale.codec.SnapshotCodec;
import dev.zkscale.core.TargetConfig;
import dev.zkscale.simulate.Demand;
import dev.zkscale.simulate.PodModel;
import dev.zkscale.simulate.Progress;
import dev.zkscale.simulate.RecordTrace;
import dev.zkscale.simulate.Report;
import dev.zkscale.simulate.SimulationRun;
import dev.zkscale.simulate.Trace;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code zkscale simulate}: replays a load trace through the decision code of {@code run} on a virtual clock, against
 * a model of pods, and reports per config what it would have cost and how it would have served (docs/simulate.md).
 * Offline: no ZooKeeper, no Kubernetes, no port. Every failure is one line on standard error, exit status 2, and no
 * output file is written (they are written to temporary files, moved into place once the whole run succeeded).
 */
@Command(
        name = "simulate",
        sortOptions = false,
        usageHelpWidth = 120,
        description = "Replays a load trace through zkscale's decisions on a virtual clock, against a model of pods, "
                + "and reports what each config would have cost and how it would have served.")
public final class SimulateCommand extends ConsoleCommand {
    /**
     * The longest span, in seconds, of the trace kept and of each duration option: about 317 years, so that every
     * simulated time stays a valid snapshot time (years 0001 to 9999).
     */
    static final double MAX_SECONDS = 1e10;

    /** The most passes a run may take (minutes of work): more is a typo in --sync-period, or a gap in the trace. */
    static final long MAX_PASSES = 50_000_000;

    /** The trace: a CSV file or a decision record. */
    static final class Source {
        @Option(
                names = "--trace",
                paramLabel = "FILE",
                description = "CSV rows seconds,value (optional header naming seconds and value)")
        Path trace;

        @Option(
                names = "--record",
                paramLabel = "FILE",
                description = "a decision record (GET /api/v1/targets/{ns}/{name}/decisions) or explain's snapshots "
                        + "(JSON Lines): demand = the pods' CPU usage at each snapshot")
        Path record;
    }

    @ArgGroup(multiplicity = "1")
    Source source;

    @Option(
            names = "--config",
            paramLabel = "FILE",
            required = true,
            description = "a target config (JSON, as zkscale config validate reads it); repeat to compare")
    List<String> configs;

    @Option(names = "--from", paramLabel = "S", description = "first trace second kept (inclusive)")
    Double from;

    @Option(names = "--to", paramLabel = "S", description = "last trace second kept (inclusive)")
    Double to;

    @Option(
            names = "--peak-millicpu",
            paramLabel = "M",
            description = "the trace's highest value in millicores; default 0.9 x maxReplicas x request x target / "
                    + "100 of the first config (with --record: the usage as measured)")
    Double peak;

    @Option(
            names = "--sync-period",
            paramLabel = "S",
            defaultValue = "15",
            description = "seconds between passes (default: ${DEFAULT-VALUE})")
    double syncPeriod;

    @Option(
            names = "--pod-start",
            paramLabel = "S",
            defaultValue = "10",
            description = "seconds a new pod is Pending (default: ${DEFAULT-VALUE})")
    double podStart;

    @Option(
            names = "--pod-ready",
            paramLabel = "S",
            defaultValue = "20",
            description = "seconds a started pod is Running before it is Ready (default: ${DEFAULT-VALUE})")
    double podReady;

    @Option(
            names = "--metrics-lag",
            paramLabel = "S",
            defaultValue = "15",
            description = "age of the metrics a pass reads, in seconds (default: ${DEFAULT-VALUE})")
    double metricsLag;

    @Option(names = "--initial-replicas", paramLabel = "N", description = "pods at the start; default minReplicas")
    Integer initialReplicas;

    @Option(
            names = "--request-millicpu",
            paramLabel = "M",
            description = "each pod's CPU request; default 500 (with --record: the recorded pods' request)")
    Long request;

    @Option(names = "--limit-millicpu", paramLabel = "M", description = "the most a pod can use; default 2 x request")
    Long limit;

    @Option(
            names = "--startup-millicpu",
            paramLabel = "M",
            defaultValue = "100",
            description = "what a Running pod that is not Ready uses (default: ${DEFAULT-VALUE})")
    long startup;

    /** The forms of the report on standard output. */
    enum Output {
        table,
        json
    }

    @Option(
            names = "--output",
            paramLabel = "FORMAT",
            defaultValue = "table",
            description = "table or json (default: ${DEFAULT-VALUE})")
    Output output;

    @Option(names = "--timeline", paramLabel = "FILE", description = "JSON Lines, one object per pass and config")
    Path timeline;

    @Option(
            names = "--snapshots",
            paramLabel = "FILE",
            description = "the passes' snapshots (JSON Lines), each replayable with zkscale explain")
    Path snapshots;

    @Option(
            names = "--snapshots-every",
            paramLabel = "N",
            defaultValue = "1",
            description = "write the snapshots of passes 0, N, 2N, ... (default: ${DEFAULT-VALUE})")
    long snapshotsEvery;

    @Option(names = "--chart", paramLabel = "FILE", description = "a chart of each config's run, .svg or .png")
    Path chart;

    @Override
    public Integer call() throws UsageException {
        // A failure is a UsageException: Main prints it as one line and exits 2.
        console.out().print(simulate(new PrintWriter(console.err(), true, Charset.defaultCharset())));
        return 0;
    }

    private String simulate(PrintWriter err) throws UsageException {
        int ceiling = CliSettings.positive(
                CliSettings.MAX_REPLICAS_CEILING, CliSettings.read().maxReplicasCeiling());
        checkOptions(ceiling);
        List<String> names = new ArrayList<>();
        List<TargetConfig> parsed = new ArrayList<>();
        for (String file : configs) {
            Inputs.Input input = Inputs.config(file, console.in());
            try {
                parsed.add(ConfigNodes.target(ConfigNodes.defaults((byte[]) null), input.data(), "workload")
                        .cappedAt(ceiling));
            } catch (InvalidInputException e) {
                throw new UsageException(Inputs.located(input, e.getMessage()));
            }
            names.add(input.name());
        }
        Trace trace;
        Long recordedRequest = null;
        try {
            if (source.trace != null) {
                trace = readCsv(source.trace);
            } else {
                RecordTrace recorded = RecordTrace.read(source.record.toString(), readText(source.record));
                trace = recorded.trace();
                recordedRequest = recorded.requestMilliCpu();
            }
            trace = trace.cut(from, to);
        } catch (InvalidInputException e) {
            throw new UsageException(e.getMessage());
        }
        checkSpan(trace);
        long requestMilliCpu = request != null ? request : recordedRequest != null ? recordedRequest : 500;
        long limitMilliCpu = limit != null ? limit : Math.min(2 * requestMilliCpu, SnapshotCodec.MAX_MILLI_CPU);
        if (limitMilliCpu < requestMilliCpu) {
            throw new UsageException(
                    "--limit-millicpu: must be >= the request (" + requestMilliCpu + "), got " + limitMilliCpu);
        }
        PodModel model = new PodModel(
                syncPeriod, podStart, podReady, metricsLag, requestMilliCpu, limitMilliCpu, startup, initialReplicas);
        Demand demand = peak == null && source.record != null
                ? Demand.measured(trace)
                : Demand.scaled(trace, peak != null ? peak : Demand.defaultPeak(parsed.get(0), requestMilliCpu));
        SimulationRun.Outputs outputs = new SimulationRun.Outputs(timeline, snapshots, snapshotsEvery, chart);
        try {
            List<Report.Result> results =
                    new SimulationRun(demand, model, parsed, names).run(outputs, Progress.on(err));
            Report report = new Report(trace, from, to, model, demand.peak(), results);
            return output == Output.json
                    ? SnapshotCodec.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(report.json()) + "\n"
                    : report.table();
        } catch (IOException e) {
            throw new UsageException(String.valueOf(e.getMessage()));
        }
    }

    /** The checks picocli's types do not make: ranges, and what the options say together. */
    private void checkOptions(int ceiling) throws UsageException {
        seconds("--sync-period", syncPeriod, Double.MIN_VALUE);
        seconds("--pod-start", podStart, 0);
        seconds("--pod-ready", podReady, 0);
        seconds("--metrics-lag", metricsLag, 0);
        if (from != null) {
            atLeast("--from", from, -Double.MAX_VALUE);
        }
        if (to != null) {
            atLeast("--to", to, from == null ? -Double.MAX_VALUE : from);
        }
        if (peak != null) {
            atLeast("--peak-millicpu", peak, Double.MIN_VALUE);
        }
        if (initialReplicas != null) {
            atLeast("--initial-replicas", initialReplicas, 0);
            atMost("--initial-replicas", initialReplicas, ceiling, " (" + CliSettings.MAX_REPLICAS_CEILING + ")");
        }
        if (request != null) {
            milliCpu("--request-millicpu", request, 1);
        }
        if (limit != null) {
            milliCpu("--limit-millicpu", limit, 1);
        }
        milliCpu("--startup-millicpu", startup, 0);
        atLeast("--snapshots-every", snapshotsEvery, 1);
        if (chart != null && SimulationRun.Outputs.chartFormat(chart) == null) {
            throw new UsageException("--chart: the file must end in .svg or .png, got " + chart);
        }
    }

    /**
     * The kept trace must span at most {@link #MAX_SECONDS} and take at most {@link #MAX_PASSES} passes: a long gap
     * in a trace or a tiny --sync-period is refused at once, not simulated for hours.
     */
    private void checkSpan(Trace trace) throws UsageException {
        double span = trace.last() - trace.first();
        String runs = " (the trace runs from " + number(trace.first()) + " to " + number(trace.last()) + " s)";
        if (span > MAX_SECONDS) {
            throw new UsageException(trace.name() + ": spans " + number(span) + " s, more than the limit of "
                    + number(MAX_SECONDS) + runs + "; cut it with --from/--to");
        }
        double passes = Math.floor(span / syncPeriod) + 1;
        if (passes > MAX_PASSES) {
            throw new UsageException(trace.name() + ": " + number(passes) + " passes of --sync-period "
                    + number(syncPeriod) + " s, more than the limit of " + MAX_PASSES + runs
                    + "; raise --sync-period or cut the trace with --from/--to");
        }
    }

    private static void seconds(String option, double value, double min) throws UsageException {
        atLeast(option, value, min);
        atMost(option, value, MAX_SECONDS, " s");
    }

    private static void milliCpu(String option, long value, long min) throws UsageException {
        atLeast(option, value, min);
        if (value > SnapshotCodec.MAX_MILLI_CPU) {
            throw new UsageException(
                    option + ": must be <= " + SnapshotCodec.MAX_MILLI_CPU + " (a billion cores), got " + value);
        }
    }

    private static void atMost(String option, double value, double max, String what) throws UsageException {
        if (value > max) {
            throw new UsageException(option + ": must be <= " + number(max) + what + ", got " + number(value));
        }
    }

    private static void atLeast(String option, double value, double min) throws UsageException {
        if (!Double.isFinite(value) || value < min) {
            String bound =
                    min == Double.MIN_VALUE ? "> 0" : min == -Double.MAX_VALUE ? "a number" : ">= " + number(min);
            throw new UsageException(option + ": must be " + bound + ", got " + number(value));
        }
    }

    private static String number(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15
                ? Long.toString((long) value)
                : Double.toString(value);
    }

    private static Trace readCsv(Path file) throws UsageException, InvalidInputException {
        try (InputStream in = Files.newInputStream(file)) {
            return Trace.csv(file.toString(), in);
        } catch (IOException e) {
            throw cannotRead(file, e);
        }
    }

    private static String readText(Path file) throws UsageException {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw cannotRead(file, e);
        }
    }

    private static UsageException cannotRead(Path file, IOException e) {
        String why = e instanceof NoSuchFileException
                ? "no such file"
                : e instanceof CharacterCodingException
                        ? "not UTF-8 text"
                        : Files.isDirectory(file) ? "is a directory" : String.valueOf(e.getMessage());
        return new UsageException("cannot read " + file + ": " + why);
    }
}
