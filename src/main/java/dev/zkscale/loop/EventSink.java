package dev.zkscale.loop;

/** Where the loop reports what it did to a workload for {@code kubectl describe}: Kubernetes Events. */
public interface EventSink {

    /**
     * Records an Event on the workload {@code kind} {@code namespace}/{@code name}; failures are logged, never thrown.
     *
     * @param warning a {@code Warning} Event, else {@code Normal}
     * @param reason the Event's reason, one word in upper camel case
     * @param message the Event's message
     */
    void event(String namespace, String kind, String name, boolean warning, String reason, String message);
}
