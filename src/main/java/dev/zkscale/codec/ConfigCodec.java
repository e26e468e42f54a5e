package dev.zkscale.codec;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.zkscale.core.Behavior;
import dev.zkscale.core.Mode;
import dev.zkscale.core.Policy;
import dev.zkscale.core.ScalingPolicy;
import dev.zkscale.core.ScalingRules;
import dev.zkscale.core.TargetConfig;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses and validates a target config (a config ZNode's JSON, as merged by {@link ConfigNodes}, or a snapshot's) into
 * an immutable {@link TargetConfig}, filling HPA's defaults. Field names follow the HPA v2 API; anything unknown or out
 * of range is refused with the field's path.
 */
public final class ConfigCodec {
    private static final Set<String> FIELDS = Set.of(
            "scaleTargetRef",
            "minReplicas",
            "maxReplicas",
            "targetCPUUtilizationPercentage",
            "container",
            "tolerance",
            "downscaleStabilizationSeconds",
            "cpuInitializationPeriodSeconds",
            "initialReadinessDelaySeconds",
            "behavior",
            "mode",
            "policy");
    private static final Set<String> RULE_FIELDS =
            Set.of("stabilizationWindowSeconds", "selectPolicy", "policies", "tolerance");
    private static final Pattern QUANTITY =
            Pattern.compile("([0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE]([-+]?[0-9]+))?(m?)");
    private static final double[] POWERS_OF_TEN = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22
    };

    /** HPA's bounds on a stabilization window and a policy period, in seconds. */
    private static final int MAX_WINDOW = 3600;

    private static final int MAX_PERIOD = 1800;

    /** A tolerance above this disables scaling in its direction; and it keeps every tolerance a finite double. */
    private static final BigDecimal MAX_TOLERANCE = BigDecimal.valueOf(1000);

    private ConfigCodec() {}

    /**
     * Parses {@code json} (found at {@code path}, used in messages) as the config of the workload named
     * {@code workloadName} unless its {@code scaleTargetRef} names another.
     */
    public static TargetConfig parse(JsonNode json, String path, String workloadName) throws InvalidInputException {
        return Fields.read(json, path, f -> parse(f, workloadName));
    }

    private static TargetConfig parse(Fields f, String workloadName) throws InvalidInputException {
        f.only(FIELDS);
        String kind = "Deployment";
        String name = workloadName;
        Fields ref = f.object("scaleTargetRef");
        if (ref != null) {
            ref.only(Set.of("apiVersion", "kind", "name"));
            ref.optionalString("apiVersion");
            kind = ref.string("kind", kind);
            if (!kind.equals("Deployment") && !kind.equals("StatefulSet")) {
                throw new InvalidInputException(ref.at("kind") + ": must be Deployment or StatefulSet, got "
                        + Fields.describe(TextNode.valueOf(kind)));
            }
            name = ref.kubernetesName("name", name, true);
        } else if (!KubernetesNames.isSubdomain(name)) {
            throw new InvalidInputException(f.at("scaleTargetRef") + ": required: the target's name "
                    + Fields.describe(TextNode.valueOf(name)) + " is not " + KubernetesNames.SUBDOMAIN_RULE);
        }
        int min = (int) f.integer("minReplicas", 1L, 1, Integer.MAX_VALUE);
        int max = (int) f.integer("maxReplicas", null, 1, Integer.MAX_VALUE);
        if (max < min) {
            throw new InvalidInputException(f.at("maxReplicas") + ": must be >= minReplicas (" + min + "), got " + max);
        }
        int target = (int) f.integer("targetCPUUtilizationPercentage", 80L, 1, 1000);
        String container = f.has("container") ? f.kubernetesName("container", null, false) : null;
        double tolerance = f.has("tolerance")
                ? f.decimal("tolerance", BigDecimal.ZERO, MAX_TOLERANCE).doubleValue()
                : 0.1;
        int downscaleWindow = (int) f.integer("downscaleStabilizationSeconds", 300L, 0, MAX_WINDOW);
        long cpuInit = f.integer("cpuInitializationPeriodSeconds", 300L, 0, Integer.MAX_VALUE);
        long readinessDelay = f.integer("initialReadinessDelaySeconds", 30L, 0, Integer.MAX_VALUE);
        Behavior behavior = null;
        Fields b = f.object("behavior");
        if (b != null) {
            b.only(Set.of("scaleUp", "scaleDown"));
            behavior = new Behavior(
                    rules(
                            b.object("scaleUp"),
                            b.at("scaleUp"),
                            0,
                            List.of(
                                    new ScalingPolicy(ScalingPolicy.Type.Pods, 4, 15),
                                    new ScalingPolicy(ScalingPolicy.Type.Percent, 100, 15))),
                    rules(
                            b.object("scaleDown"),
                            b.at("scaleDown"),
                            downscaleWindow,
                            List.of(new ScalingPolicy(ScalingPolicy.Type.Percent, 100, 15))));
        }
        Mode mode = f.choice("mode", Mode.class, Mode.Active);
        Policy policy = policy(f.object("policy"));
        return new TargetConfig(
                kind,
                name,
                min,
                max,
                target,
                container,
                tolerance,
                downscaleWindow,
                cpuInit,
                readinessDelay,
                behavior,
                mode,
                policy);
    }

    private static Policy policy(Fields f) throws InvalidInputException {
        if (f == null) {
            return null;
        }
        f.only(Set.of("type", "shadow", "podStartupSeconds", "quantile"));
        Policy.Type type = f.choice("type", Policy.Type.class, null);
        boolean shadow = f.bool("shadow", false);
        int startup = (int) f.integer("podStartupSeconds", (long) Policy.DEFAULT_POD_STARTUP_SECONDS, 0, MAX_WINDOW);
        double quantile = f.has("quantile")
                ? f.decimal("quantile", new BigDecimal("0.5"), new BigDecimal("0.999"))
                        .doubleValue()
                : Policy.DEFAULT_QUANTILE;
        return new Policy(type, shadow, startup, quantile);
    }

    /** Writes the config with every default written out: parsing it again gives the same config. */
    public static void write(JsonGenerator out, TargetConfig c) throws IOException {
        out.writeStartObject();
        out.writeObjectFieldStart("scaleTargetRef");
        out.writeStringField("kind", c.kind());
        out.writeStringField("name", c.workloadName());
        out.writeEndObject();
        out.writeNumberField("minReplicas", c.minReplicas());
        out.writeNumberField("maxReplicas", c.maxReplicas());
        out.writeNumberField("targetCPUUtilizationPercentage", c.targetCPUUtilizationPercentage());
        if (c.container() != null) {
            out.writeStringField("container", c.container());
        }
        out.writeNumberField("tolerance", c.tolerance());
        out.writeNumberField("downscaleStabilizationSeconds", c.downscaleStabilizationSeconds());
        out.writeNumberField("cpuInitializationPeriodSeconds", c.cpuInitializationPeriodSeconds());
        out.writeNumberField("initialReadinessDelaySeconds", c.initialReadinessDelaySeconds());
        if (c.behavior() != null) {
            out.writeObjectFieldStart("behavior");
            write(out, "scaleUp", c.behavior().scaleUp());
            write(out, "scaleDown", c.behavior().scaleDown());
            out.writeEndObject();
        }
        out.writeStringField("mode", c.mode().name());
        if (c.policy() != null) {
            out.writeObjectFieldStart("policy");
            out.writeStringField("type", c.policy().type().name());
            out.writeBooleanField("shadow", c.policy().shadow());
            out.writeNumberField("podStartupSeconds", c.policy().podStartupSeconds());
            out.writeNumberField("quantile", c.policy().quantile());
            out.writeEndObject();
        }
        out.writeEndObject();
    }

    private static void write(JsonGenerator out, String name, ScalingRules rules) throws IOException {
        out.writeObjectFieldStart(name);
        out.writeNumberField("stabilizationWindowSeconds", rules.stabilizationWindowSeconds());
        out.writeStringField("selectPolicy", rules.selectPolicy().name());
        out.writeArrayFieldStart("policies");
        for (ScalingPolicy p : rules.policies()) {
            out.writeStartObject();
            out.writeStringField("type", p.type().name());
            out.writeNumberField("value", p.value());
            out.writeNumberField("periodSeconds", p.periodSeconds());
            out.writeEndObject();
        }
        out.writeEndArray();
        if (rules.tolerance() != null) {
            out.writeNumberField("tolerance", rules.tolerance());
        }
        out.writeEndObject();
    }

    private static ScalingRules rules(Fields f, String path, int defaultWindow, List<ScalingPolicy> defaultPolicies)
            throws InvalidInputException {
        if (f == null) {
            return new ScalingRules(defaultWindow, ScalingRules.SelectPolicy.Max, defaultPolicies, null);
        }
        f.only(RULE_FIELDS);
        int window = (int) f.integer("stabilizationWindowSeconds", (long) defaultWindow, 0, MAX_WINDOW);
        ScalingRules.SelectPolicy select =
                f.choice("selectPolicy", ScalingRules.SelectPolicy.class, ScalingRules.SelectPolicy.Max);
        List<ScalingPolicy> policies = defaultPolicies;
        if (f.has("policies")) {
            policies = new ArrayList<>();
            for (Fields p : f.objects("policies")) {
                p.only(Set.of("type", "value", "periodSeconds"));
                policies.add(new ScalingPolicy(
                        p.choice("type", ScalingPolicy.Type.class, null),
                        (int) p.integer("value", null, 1, Integer.MAX_VALUE),
                        (int) p.integer("periodSeconds", null, 1, MAX_PERIOD)));
            }
            if (policies.isEmpty()) {
                throw new InvalidInputException(f.at("policies") + ": must list at least one policy");
            }
        }
        Double tolerance = f.has("tolerance") ? quantity(f, "tolerance") : null;
        return new ScalingRules(window, select, policies, tolerance);
    }

    /**
     * A tolerance given as a Kubernetes quantity (a JSON number or a string such as {@code "0.05"} or {@code "50m"}),
     * converted to a double the way upstream's {@code Quantity.AsApproximateFloat64} does, so that boundary ratios
     * compare exactly as they do there.
     */
    private static double quantity(Fields f, String name) throws InvalidInputException {
        JsonNode value = f.raw(name);
        BigDecimal number;
        if (value.isNumber()) {
            number = value.decimalValue();
        } else {
            Matcher m = value.isTextual() ? QUANTITY.matcher(value.asText()) : null;
            if (m == null || !m.matches()) {
                throw new InvalidInputException(f.at(name)
                        + ": must be a number >= 0 or a quantity such as \"0.05\", got " + Fields.describe(value));
            }
            try {
                number = new BigDecimal(m.group(1) + (m.group(2) == null ? "" : "e" + m.group(2)));
                if (!m.group(3).isEmpty()) {
                    number = number.movePointLeft(3);
                }
            } catch (NumberFormatException | ArithmeticException e) {
                throw new InvalidInputException(f.at(name) + ": exponent out of range, got " + Fields.describe(value));
            }
        }
        f.within(name, number, BigDecimal.ZERO, MAX_TOLERANCE);
        double base = number.unscaledValue().doubleValue();
        int exponent = -number.scale();
        if (exponent == 0 || Math.abs(exponent) >= POWERS_OF_TEN.length) {
            return number.doubleValue();
        }
        return exponent > 0 ? base * POWERS_OF_TEN[exponent] : base * (1.0 / POWERS_OF_TEN[-exponent]);
    }
}
