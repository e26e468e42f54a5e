package dev.zkscale.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.zkscale.core.Mode;
import dev.zkscale.core.Policy;
import dev.zkscale.core.ScalingPolicy;
import dev.zkscale.core.ScalingRules;
import dev.zkscale.core.TargetConfig;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigCodecTest {

    private static TargetConfig parse(String json) throws Exception {
        return ConfigCodec.parse(SnapshotCodec.MAPPER.readTree(json), "config", "web");
    }

    @Test
    @DisplayName("unset fields take HPA's defaults and the workload is named by the path")
    void defaults() throws Exception {
        TargetConfig c = parse("{\"maxReplicas\":5}");
        assertEquals("Deployment", c.kind());
        assertEquals("web", c.workloadName());
        assertEquals(1, c.minReplicas());
        assertEquals(80, c.targetCPUUtilizationPercentage());
        assertEquals(0.1, c.tolerance());
        assertEquals(300, c.downscaleStabilizationSeconds());
        assertEquals(300, c.cpuInitializationPeriodSeconds());
        assertEquals(30, c.initialReadinessDelaySeconds());
        assertNull(c.behavior());
        assertNull(c.container());
        assertEquals(Mode.Active, c.mode());
    }

    @Test
    @DisplayName("an empty behavior takes HPA's behavior defaults; the scale-down window comes from "
            + "downscaleStabilizationSeconds")
    void behaviorDefaults() throws Exception {
        TargetConfig c = parse("{\"maxReplicas\":5,\"downscaleStabilizationSeconds\":120,\"behavior\":{}}");
        assertEquals(
                new ScalingRules(
                        0,
                        ScalingRules.SelectPolicy.Max,
                        List.of(
                                new ScalingPolicy(ScalingPolicy.Type.Pods, 4, 15),
                                new ScalingPolicy(ScalingPolicy.Type.Percent, 100, 15)),
                        null),
                c.behavior().scaleUp());
        assertEquals(
                new ScalingRules(
                        120,
                        ScalingRules.SelectPolicy.Max,
                        List.of(new ScalingPolicy(ScalingPolicy.Type.Percent, 100, 15)),
                        null),
                c.behavior().scaleDown());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @DisplayName("a tolerance quantity converts as upstream's AsApproximateFloat64")
    @CsvSource(
            delimiter = '|',
            value = {"\"0.05\"|0.05", "\"50m\"|0.05", "0.1|0.1", "\"1\"|1.0", "\"5e-2\"|0.05"})
    void quantityTolerance(String quantity, double expected) throws Exception {
        TargetConfig c = parse("{\"maxReplicas\":5,\"behavior\":{\"scaleUp\":{\"tolerance\":" + quantity + "}}}");
        assertEquals(expected, c.scaleUpTolerance());
        assertEquals(0.1, c.scaleDownTolerance());
    }

    @ParameterizedTest(name = "{0}")
    @DisplayName("invalid configs are refused with the field's path and the rule broken")
    @CsvSource(
            delimiter = '|',
            value = {
                "{}|config.maxReplicas: required",
                "[]|config: must be a JSON object, got []",
                "{\"maxReplicas\":2,\"minReplicas\":3}|config.maxReplicas: must be >= minReplicas (3), got 2",
                "{\"maxReplicas\":2,\"replicas\":1}|config.replicas: unknown field",
                "{\"maxReplicas\":\"5\"}|config.maxReplicas: must be an integer, got \"5\"",
                "{\"maxReplicas\":1.5}|config.maxReplicas: must be an integer, got 1.5",
                "{\"maxReplicas\":5,\"minReplicas\":0}|config.minReplicas: must be >= 1, got 0",
                "{\"maxReplicas\":2147483648}|config.maxReplicas: must be <= 2147483647, got 2147483648",
                "{\"maxReplicas\":5,\"cpuInitializationPeriodSeconds\":1e20}|"
                        + "config.cpuInitializationPeriodSeconds: must be <= 2147483647, got 1E+20",
                "{\"maxReplicas\":5,\"targetCPUUtilizationPercentage\":1001}|"
                        + "config.targetCPUUtilizationPercentage: must be between 1 and 1000, got 1001",
                "{\"maxReplicas\":5,\"tolerance\":-0.1}|config.tolerance: must be >= 0, got -0.1",
                "{\"maxReplicas\":5,\"tolerance\":\"0.1\"}|config.tolerance: must be a number, got \"0.1\"",
                "{\"maxReplicas\":5,\"downscaleStabilizationSeconds\":3601}|"
                        + "config.downscaleStabilizationSeconds: must be between 0 and 3600, got 3601",
                "{\"maxReplicas\":5,\"container\":\"\"}|config.container: must be a non-empty string, got \"\"",
                "{\"maxReplicas\":5,\"mode\":\"Off\"}|config.mode: must be one of Active, DryRun, Paused, got \"Off\"",
                "{\"maxReplicas\":5,\"scaleTargetRef\":{\"kind\":\"ReplicaSet\"}}|"
                        + "config.scaleTargetRef.kind: must be Deployment or StatefulSet, got \"ReplicaSet\"",
                "{\"maxReplicas\":5,\"behavior\":{\"scaleup\":{}}}|config.behavior.scaleup: unknown field",
                "{\"maxReplicas\":5,\"behavior\":{\"scaleDown\":{\"selectPolicy\":\"Maximum\"}}}|"
                        + "config.behavior.scaleDown.selectPolicy: must be one of Max, Min, Disabled, got \"Maximum\"",
                "{\"maxReplicas\":5,\"behavior\":{\"scaleUp\":{\"policies\":[]}}}|"
                        + "config.behavior.scaleUp.policies: must list at least one policy",
                "{\"maxReplicas\":5,\"behavior\":{\"scaleUp\":{\"policies\":[{\"type\":\"Pods\",\"value\":1,"
                        + "\"periodSeconds\":0}]}}}|config.behavior.scaleUp.policies[0].periodSeconds: "
                        + "must be between 1 and 1800, got 0",
                "{\"maxReplicas\":5,\"behavior\":{\"scaleUp\":{\"policies\":[{\"type\":\"Pods\",\"value\":0,"
                        + "\"periodSeconds\":15}]}}}|config.behavior.scaleUp.policies[0].value: must be >= 1, got 0",
                "{\"maxReplicas\":5,\"behavior\":{\"scaleUp\":{\"stabilizationWindowSeconds\":-1}}}|"
                        + "config.behavior.scaleUp.stabilizationWindowSeconds: must be between 0 and 3600, got -1",
                "{\"maxReplicas\":5,\"behavior\":{\"scaleDown\":{\"tolerance\":\"lots\"}}}|"
                        + "config.behavior.scaleDown.tolerance: must be a number >= 0 or a quantity such as "
                        + "\"0.05\", got \"lots\"",
                "{\"maxReplicas\":5,\"behavior\":{\"scaleDown\":{\"tolerance\":-1}}}|"
                        + "config.behavior.scaleDown.tolerance: must be >= 0, got -1",
                "{\"maxReplicas\":5,\"tolerance\":1e400}|config.tolerance: must be <= 1000, got 1E+400",
                "{\"maxReplicas\":5,\"tolerance\":1000.5}|config.tolerance: must be <= 1000, got 1000.5",
                "{\"maxReplicas\":5,\"behavior\":{\"scaleUp\":{\"tolerance\":\"1e400\"}}}|"
                        + "config.behavior.scaleUp.tolerance: must be <= 1000, got 1E+400",
                "{\"maxReplicas\":5,\"behavior\":{\"scaleUp\":{\"tolerance\":\"1e99999999999\"}}}|"
                        + "config.behavior.scaleUp.tolerance: exponent out of range, got \"1e99999999999\"",
                "{\"maxReplicas\":5,\"behavior\":{\"scaleUp\":{\"tolerance\":\"1e-2147483648\"}}}|"
                        + "config.behavior.scaleUp.tolerance: exponent out of range, got \"1e-2147483648\"",
                "{\"maxReplicas\":5,\"behavior\":{\"scaleUp\":{\"tolerance\":\"1e-2147483647m\"}}}|"
                        + "config.behavior.scaleUp.tolerance: exponent out of range, got \"1e-2147483647m\"",
                "{\"maxReplicas\":5,\"scaleTargetRef\":{\"name\":\"Web\"}}|config.scaleTargetRef.name: must be "
                        + "a DNS-1123 subdomain: at most 253 lower-case letters, digits, '-' and '.', each part "
                        + "starting and ending with a letter or digit, got \"Web\"",
                "{\"maxReplicas\":5,\"scaleTargetRef\":{\"name\":\"../../x\"}}|config.scaleTargetRef.name: must be "
                        + "a DNS-1123 subdomain: at most 253 lower-case letters, digits, '-' and '.', each part "
                        + "starting and ending with a letter or digit, got \"../../x\"",
                "{\"maxReplicas\":5,\"container\":\"a/b\"}|config.container: must be a DNS-1123 label: at most 63 "
                        + "lower-case letters, digits and '-', starting and ending with a letter or digit, got \"a/b\"",
                "{\"maxReplicas\":5,\"container\":\"a\\u0000\"}|config.container: must be a DNS-1123 label: at "
                        + "most 63 lower-case letters, digits and '-', starting and ending with a letter or digit, "
                        + "got \"a\\u0000\""
            })
    void refused(String json, String message) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> parse(json));
        assertEquals(message, e.getMessage());
    }

    @Test
    @DisplayName("maxReplicas above the ceiling is capped, and minReplicas with it")
    void ceiling() throws Exception {
        TargetConfig c = parse("{\"minReplicas\":1500,\"maxReplicas\":2000}").cappedAt(1000);
        assertEquals(1000, c.maxReplicas());
        assertEquals(1000, c.minReplicas());
    }

    @Test
    @DisplayName("a policy takes its defaults, and is written out so that parsing it again gives the same config")
    void policy() throws Exception {
        TargetConfig c = parse("{\"maxReplicas\":5,\"policy\":{\"type\":\"Forecast\"}}");
        assertEquals(
                new Policy(Policy.Type.Forecast, false, Policy.DEFAULT_POD_STARTUP_SECONDS, Policy.DEFAULT_QUANTILE),
                c.policy());
        TargetConfig shadow = parse("{\"maxReplicas\":5,\"policy\":{\"type\":\"Forecast\",\"shadow\":true,"
                + "\"podStartupSeconds\":90,\"quantile\":0.9}}");
        assertEquals(new Policy(Policy.Type.Forecast, true, 90, 0.9), shadow.policy());
        String written =
                SnapshotCodec.tree(out -> ConfigCodec.write(out, shadow)).toString();
        assertEquals(shadow, parse(written));
        assertNull(parse("{\"maxReplicas\":5}").policy(), "no policy: the HPA");
    }

    @ParameterizedTest(name = "{0}")
    @DisplayName("an invalid policy is refused with the field's path and the rule broken")
    @CsvSource(
            delimiter = '|',
            value = {
                "{}|config.policy.type: required",
                "{\"type\":\"Magic\"}|config.policy.type: must be one of Forecast, got \"Magic\"",
                "{\"type\":\"Forecast\",\"horizon\":1}|config.policy.horizon: unknown field",
                "{\"type\":\"Forecast\",\"shadow\":\"yes\"}|config.policy.shadow: must be true or false, got \"yes\"",
                "{\"type\":\"Forecast\",\"quantile\":0.4}|config.policy.quantile: must be >= 0.5, got 0.4",
                "{\"type\":\"Forecast\",\"quantile\":1}|config.policy.quantile: must be <= 0.999, got 1",
                "{\"type\":\"Forecast\",\"podStartupSeconds\":-1}"
                        + "|config.policy.podStartupSeconds: must be between 0 and 3600, got -1"
            })
    void invalidPolicy(String policy, String message) {
        InvalidInputException e =
                assertThrows(InvalidInputException.class, () -> parse("{\"maxReplicas\":5,\"policy\":" + policy + "}"));
        assertEquals(message, e.getMessage());
    }
}
