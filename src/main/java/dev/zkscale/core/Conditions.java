package dev.zkscale.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The conditions one decision sets: a later set of a type replaces it in the place it was first set. */
final class Conditions {
    private final Map<ConditionType, Condition> byType = new LinkedHashMap<>();

    void set(ConditionType type, boolean status, ConditionReason reason, String message) {
        byType.put(type, new Condition(type, status, reason, message));
    }

    List<Condition> list() {
        return List.copyOf(new ArrayList<>(byType.values()));
    }
}
