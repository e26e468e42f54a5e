package dev.zkscale.loop;

import java.util.List;
import java.util.Map;

/**
 * A Kubernetes label selector ({@code matchLabels} and {@code matchExpressions}), matched in memory against cached
 * objects' labels. An empty selector matches nothing, as the HPA refuses to act on one.
 */
public record Selector(Map<String, String> matchLabels, List<Requirement> matchExpressions) {

    public Selector {
        matchLabels = Map.copyOf(matchLabels);
        matchExpressions = List.copyOf(matchExpressions);
    }

    /**
     * One {@code matchExpressions} entry: operator {@code In}, {@code NotIn}, {@code Exists} or {@code DoesNotExist}.
     */
    public record Requirement(String key, String operator, List<String> values) {
        public Requirement {
            values = List.copyOf(values);
        }

        boolean matches(Map<String, String> labels) {
            String value = labels.get(key);
            return switch (operator) {
                case "In" -> value != null && values.contains(value);
                case "NotIn" -> value == null || !values.contains(value);
                case "Exists" -> labels.containsKey(key);
                case "DoesNotExist" -> !labels.containsKey(key);
                default -> false;
            };
        }
    }

    public boolean isEmpty() {
        return matchLabels.isEmpty() && matchExpressions.isEmpty();
    }

    public boolean matches(Map<String, String> labels) {
        if (isEmpty()) {
            return false;
        }
        Map<String, String> actual = labels == null ? Map.of() : labels;
        for (Map.Entry<String, String> label : matchLabels.entrySet()) {
            if (!label.getValue().equals(actual.get(label.getKey()))) {
                return false;
            }
        }
        return matchExpressions.stream().allMatch(r -> r.matches(actual));
    }
}
