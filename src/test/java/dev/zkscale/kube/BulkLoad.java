package dev.zkscale.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.crud.Attribute;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * Puts objects straight into a {@link MockApi}'s store, as a create would leave them (resourceVersion, uid,
 * creationTimestamp), without a request. The CRUD mock scans its whole store on every create, so creating tens of
 * thousands of objects through the API takes minutes; this takes milliseconds. For benchmarks only: call it before any
 * client lists or watches (no watch event is sent, and the store is not locked).
 */
public final class BulkLoad {
    private BulkLoad() {}

    /** Stores {@code object}, whose resource's plural name (as in its API path) is {@code plural}. */
    public static void put(MockApi api, String plural, HasMetadata object) {
        object.getMetadata().setResourceVersion(Long.toString(api.dispatcher.requestResourceVersion()));
        object.getMetadata().setUid(UUID.randomUUID().toString());
        object.getMetadata().setGeneration(1L);
        object.getMetadata()
                .setCreationTimestamp(
                        Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        String json = Serialization.asJson(object);
        KubernetesAttributesExtractor extractor =
                (KubernetesAttributesExtractor) api.dispatcher.getAttributeExtractor();
        api.dispatcher.getMap().put(extractor.fromResource(json).add(new Attribute("plural", plural)), json);
    }
}
