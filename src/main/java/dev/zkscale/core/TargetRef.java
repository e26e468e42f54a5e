package dev.zkscale.core;

/** A managed target's identity: the namespace and name of its config ZNode and of its workload. */
public record TargetRef(String namespace, String name) {
    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
