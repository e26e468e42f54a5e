package dev.zkscale.simulate;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.zkscale.codec.SnapshotCodec;
import dev.zkscale.core.TargetConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Several configs simulated one after the other on the same demand and model, with the output files they ask for.
 * The files are written in full or not at all ({@link OutputFile}).
 */
public final class SimulationRun {
    private final Demand demand;
    private final PodModel model;
    private final List<TargetConfig> configs;
    private final List<String> names;

    /**
     * What to write besides the report, each null when not wanted.
     *
     * @param timeline the JSON Lines of every pass ({@code --timeline})
     * @param snapshots the snapshots ({@code --snapshots}), of every {@code snapshotsEvery}th pass
     * @param chart an {@code .svg} or {@code .png} chart
     */
    public record Outputs(Path timeline, Path snapshots, long snapshotsEvery, Path chart) {
        /** The chart's format by its file's extension: {@code "svg"}, {@code "png"}, or null for neither. */
        public static String chartFormat(Path chart) {
            String name = chart.getFileName().toString().toLowerCase(Locale.ROOT);
            return name.endsWith(".svg") ? "svg" : name.endsWith(".png") ? "png" : null;
        }
    }

    /** @param names the configs' names (their files), in the same order */
    public SimulationRun(Demand demand, PodModel model, List<TargetConfig> configs, List<String> names) {
        this.demand = demand;
        this.model = model;
        this.configs = List.copyOf(configs);
        this.names = List.copyOf(names);
    }

    /** Runs every config; the output files are in place when this returns, and none is when it throws. */
    public List<Report.Result> run(Outputs outputs, Progress progress) throws IOException {
        List<OutputFile> files = new ArrayList<>();
        try {
            OutputFile timelineFile = open(outputs.timeline(), files);
            OutputFile snapshotsFile = open(outputs.snapshots(), files);
            OutputFile chartFile = open(outputs.chart(), files);
            List<Report.Result> results;
            try (JsonGenerator timelineOut = jsonLines(timelineFile);
                    JsonGenerator snapshotsOut = jsonLines(snapshotsFile)) {
                Timeline timeline = timelineOut == null ? null : new Timeline(timelineOut);
                Snapshots snapshots =
                        snapshotsOut == null ? null : new Snapshots(snapshotsOut, outputs.snapshotsEvery());
                TargetConfig yardstick = configs.get(0);
                Chart chart = null;
                results = new ArrayList<>();
                for (int i = 0; i < configs.size(); i++) {
                    Simulation simulation = new Simulation(demand, model, configs.get(i), yardstick);
                    if (chart == null && chartFile != null) {
                        chart = new Chart(
                                simulation.passes(),
                                demand.trace().last() - demand.trace().first(),
                                yardstick,
                                model);
                    }
                    List<Simulation.Listener> listeners = new ArrayList<>();
                    listeners.add(progress.listener(i, configs.size(), simulation.passes()));
                    if (timeline != null) {
                        listeners.add(timeline.forConfig(i));
                    }
                    if (snapshots != null) {
                        listeners.add(snapshots.listener());
                    }
                    if (chart != null) {
                        listeners.add(chart.panel(Chart.title(names.get(i), configs.get(i))));
                    }
                    Figures figures = simulation.run(all(listeners));
                    results.add(new Report.Result(names.get(i), configs.get(i), simulation.initialReplicas(), figures));
                }
                if (chart != null) {
                    try (OutputStream out = chartFile.stream()) {
                        chart.write(out, "svg".equals(Outputs.chartFormat(outputs.chart())));
                    }
                }
            } finally {
                progress.done();
            }
            for (OutputFile file : files) {
                file.commit();
            }
            return results;
        } finally {
            for (OutputFile file : files) {
                file.close();
            }
        }
    }

    private static OutputFile open(Path path, List<OutputFile> files) throws IOException {
        if (path == null) {
            return null;
        }
        OutputFile file = OutputFile.create(path);
        files.add(file);
        return file;
    }

    /** A generator writing one JSON value a line (the caller ends each with a newline). */
    private static JsonGenerator jsonLines(OutputFile file) throws IOException {
        if (file == null) {
            return null;
        }
        JsonGenerator out = SnapshotCodec.MAPPER.getFactory().createGenerator(file.stream());
        out.setRootValueSeparator(null);
        return out;
    }

    private static Simulation.Listener all(List<Simulation.Listener> listeners) {
        Simulation.Listener[] each = listeners.toArray(Simulation.Listener[]::new);
        return pass -> {
            for (Simulation.Listener listener : each) {
                listener.pass(pass);
            }
        };
    }
}
