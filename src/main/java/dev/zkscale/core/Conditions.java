package dev.zkscale.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The conditions one decision sets: a later set of a type replaces it in the place it was first set. */
final class Conditions {
    private final Map<String, Condition> byType = new LinkedHashMap<>();

    void set(String type, boolean status, String reason, String message) {
        byType.put(type, new Condition(type, status ? "True" : "False", reason, message));
    }

    List<Condition> list() {
        return List.copyOf(new ArrayList<>(byType.values()));
    }
}
