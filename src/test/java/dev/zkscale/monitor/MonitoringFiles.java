package dev.zkscale.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The monitoring artifacts of {@code k8s/monitoring/} as tests read them: the Grafana dashboard's PromQL, the
 * PrometheusRule's rules, and the metric names a PromQL expression reads.
 */
public final class MonitoringFiles {
    public static final Path DIR = Path.of("k8s", "monitoring");
    public static final Path DASHBOARD = DIR.resolve("dashboard.json");
    public static final Path ALERTS = DIR.resolve("prometheusrule.yaml");
    public static final Path ALERT_TESTS = DIR.resolve("prometheusrule.test.yaml");
    /** The rules file name the promtool tests load (the PrometheusRule's {@code .spec}). */
    public static final String RULES_FILE = "zkscale-rules.yml";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** A PromQL expression and where it comes from (a panel's title and refId, an alert's name). */
    public record Query(String where, String expr) {}

    private MonitoringFiles() {}

    public static JsonNode dashboard() throws IOException {
        return JSON.readTree(DASHBOARD.toFile());
    }

    /**
     * Every panel query of the dashboard, rows' panels included, with Grafana's variables replaced as Grafana would
     * for "All" ({@code .*}) and the interval variables by {@code rateInterval}.
     */
    public static List<Query> dashboardQueries(String rateInterval) throws IOException {
        List<Query> queries = new ArrayList<>();
        collect(dashboard().path("panels"), queries, rateInterval);
        return queries;
    }

    private static void collect(JsonNode panels, List<Query> out, String rateInterval) {
        for (JsonNode panel : panels) {
            for (JsonNode target : panel.path("targets")) {
                if (target.hasNonNull("expr")) {
                    out.add(new Query(
                            panel.path("title").asText() + " ["
                                    + target.path("refId").asText() + "]",
                            substitute(target.get("expr").asText(), rateInterval)));
                }
            }
            collect(panel.path("panels"), out, rateInterval);
        }
    }

    /** The template variables' queries, {@code label_values(selector, label)}, as {selector, label} pairs. */
    public static List<String[]> variableQueries() throws IOException {
        List<String[]> out = new ArrayList<>();
        Pattern labelValues = Pattern.compile("label_values\\((.*),\\s*([a-zA-Z_]+)\\)");
        for (JsonNode v : dashboard().path("templating").path("list")) {
            if ("query".equals(v.path("type").asText())) {
                String q = v.path("query").isTextual()
                        ? v.path("query").asText()
                        : v.path("query").path("query").asText();
                Matcher m = labelValues.matcher(q);
                if (!m.matches()) {
                    throw new AssertionError("variable " + v.path("name").asText() + ": not label_values(...): " + q);
                }
                out.add(new String[] {substitute(m.group(1), "1m"), m.group(2)});
            }
        }
        return out;
    }

    /** Grafana's variables as Grafana replaces them with "All" selected (allValue {@code .*}). */
    static String substitute(String expr, String rateInterval) {
        return expr.replace("$__rate_interval", rateInterval)
                .replace("$__interval", rateInterval)
                .replace("$__range", rateInterval)
                .replaceAll("\\$\\{?(job|namespace|target)\\}?", ".*");
    }

    /**
     * Writes the PrometheusRule's {@code .spec} (a plain Prometheus rules file) to {@code dir}/{@value #RULES_FILE}.
     */
    public static Path extractRules(Path dir) throws IOException {
        JsonNode rule = YAML.readTree(ALERTS.toFile());
        if (!"PrometheusRule".equals(rule.path("kind").asText())
                || !"monitoring.coreos.com/v1".equals(rule.path("apiVersion").asText())) {
            throw new AssertionError(ALERTS + " is not a monitoring.coreos.com/v1 PrometheusRule");
        }
        Path file = dir.resolve(RULES_FILE);
        YAML.writeValue(file.toFile(), rule.path("spec"));
        return file;
    }

    /** Every rule's expression, named by its alert (or record) name. */
    public static List<Query> alertQueries() throws IOException {
        List<Query> out = new ArrayList<>();
        for (JsonNode group : YAML.readTree(ALERTS.toFile()).path("spec").path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                String name = rule.hasNonNull("alert")
                        ? rule.get("alert").asText()
                        : rule.path("record").asText();
                out.add(new Query(name, rule.path("expr").asText()));
            }
        }
        return out;
    }

    private static final Set<String> KEYWORDS = Set.of(
            "and",
            "or",
            "unless",
            "by",
            "without",
            "on",
            "ignoring",
            "group_left",
            "group_right",
            "bool",
            "offset",
            "inf",
            "nan",
            "Inf",
            "NaN");
    private static final Pattern STRINGS = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    private static final Pattern GROUPING =
            Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_:][A-Za-z0-9_:]*");

    /**
     * The metric names a PromQL expression selects: identifiers that are not functions (followed by "("), keywords,
     * label names (inside braces or grouping clauses), or parts of numbers and durations.
     */
    public static Set<String> metricNames(String expr) {
        String s = STRINGS.matcher(expr).replaceAll("\"\"");
        s = s.replaceAll("\\{[^}]*\\}", " ").replaceAll("\\[[^\\]]*\\]", " ");
        s = GROUPING.matcher(s).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(s);
        while (m.find()) {
            String word = m.group();
            char before = m.start() == 0 ? ' ' : s.charAt(m.start() - 1);
            if (Character.isDigit(before) || before == '.' || KEYWORDS.contains(word)) {
                continue;
            }
            int next = m.end();
            while (next < s.length() && Character.isWhitespace(s.charAt(next))) {
                next++;
            }
            if (next < s.length() && s.charAt(next) == '(') {
                continue;
            }
            names.add(word);
        }
        return names;
    }
}
