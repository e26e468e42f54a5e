package dev.zkscale.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zkscale.codec.ConfigCodec;
import dev.zkscale.codec.ConfigNodes;
import dev.zkscale.codec.InvalidInputException;
import dev.zkscale.core.TargetConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** The demo's target config: the file {@code --config} names, or the demo's own, checked as the demo can run it. */
final class DemoConfig {
    static final String DEFAULT_JSON =
            "{\"minReplicas\": 2, \"maxReplicas\": 10, " + "\"targetCPUUtilizationPercentage\": 60}";
    /** The simulation's bound on pods, so that a config cannot ask the demo for a thousand. */
    static final int MAX_PODS = 50;

    private DemoConfig() {}

    /**
     * The config file's JSON object (the demo's own config without one), read as {@code zkscale config set} reads it.
     */
    static JsonNode json(Path file) throws DemoException {
        byte[] data;
        try {
            data = file == null ? DEFAULT_JSON.getBytes(StandardCharsets.UTF_8) : Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new DemoException("cannot read config " + file + ": no such file; give a target config (JSON) "
                    + "such as " + DEFAULT_JSON);
        } catch (AccessDeniedException e) {
            throw new DemoException("cannot read config " + file + ": permission denied");
        } catch (IOException e) {
            throw new DemoException("cannot read config " + file + ": " + e.getMessage());
        }
        try {
            return ConfigNodes.object(data);
        } catch (InvalidInputException e) {
            throw new DemoException("bad config " + file + ": " + e.getMessage() + "; give a target config (JSON) "
                    + "such as " + DEFAULT_JSON);
        }
    }

    /** Validates the config as the controller will read it, and as the demo can run it. */
    static TargetConfig parse(JsonNode json, Path file) throws DemoException {
        String where = file == null ? "the demo's config" : "bad config " + file;
        TargetConfig config;
        try {
            config = ConfigCodec.parse(json, "", Demo.TARGET.name());
        } catch (InvalidInputException e) {
            throw new DemoException(
                    where + ": " + e.getMessage() + " (the fields are in the README, \"Target config\")");
        }
        if (!config.kind().equals("Deployment") || !config.workloadName().equals(SimulatedWorkload.NAME)) {
            throw new DemoException(where + ": scaleTargetRef: the demo's workload is Deployment "
                    + SimulatedWorkload.NAME + ", got " + config.kind() + " " + config.workloadName());
        }
        if (config.container() != null && !config.container().equals("app")) {
            throw new DemoException(where + ": container: the demo's pods have one container, \"app\", got \""
                    + config.container() + "\"");
        }
        if (config.maxReplicas() > MAX_PODS) {
            throw new DemoException(where + ": maxReplicas: the demo simulates at most " + MAX_PODS + " pods, got "
                    + config.maxReplicas());
        }
        return config;
    }
}
