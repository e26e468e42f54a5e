package dev.zkscale.kube;

import dev.zkscale.core.Pod;
import dev.zkscale.loop.Selector;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.Indexer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One pod informer's cache, indexed by label, with each cached pod's conversion kept while the cache holds it.
 *
 * <p>The label index makes a selector's lookup follow the workload's pods, not the namespace's: without it, every
 * target's pods would scan every pod of its namespace (targets x pods label matches). A selector of
 * {@code matchExpressions} only still scans the namespace.
 */
final class PodCache {
    /** The index by label: one key {@code namespace/key=value} per label of each pod. */
    private static final String LABEL_INDEX = "zkscale.dev/labels";
    /** A label bucket this small is taken at once, without looking for a smaller one among the other labels. */
    private static final int SMALL_BUCKET = 64;

    private final SharedIndexInformer<io.fabric8.kubernetes.api.model.Pod> informer;
    /** Each cached pod's conversion, by cache key, kept while the cache holds that very object (see {@link #pod}). */
    private final Map<String, Converted> converted = new ConcurrentHashMap<>();

    /** A cached pod and its conversion. */
    private record Converted(io.fabric8.kubernetes.api.model.Pod source, Pod pod) {}

    /** Indexes the informer's cache (before it starts) and drops conversions of replaced or deleted pods. */
    PodCache(SharedIndexInformer<io.fabric8.kubernetes.api.model.Pod> informer) {
        this.informer = informer;
        informer.addIndexers(Map.of(LABEL_INDEX, PodCache::labelIndexKeys));
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(io.fabric8.kubernetes.api.model.Pod pod) {}

            @Override
            public void onUpdate(io.fabric8.kubernetes.api.model.Pod old, io.fabric8.kubernetes.api.model.Pod pod) {
                converted.computeIfPresent(Cache.metaNamespaceKeyFunc(old), (k, c) -> c.source() == old ? null : c);
            }

            @Override
            public void onDelete(io.fabric8.kubernetes.api.model.Pod pod, boolean finalStateUnknown) {
                converted.remove(Cache.metaNamespaceKeyFunc(pod));
            }
        });
    }

    SharedIndexInformer<io.fabric8.kubernetes.api.model.Pod> informer() {
        return informer;
    }

    /** The namespace's pods whose labels match {@code selector} (not empty), converted, sorted by name. */
    List<Pod> select(String namespace, Selector selector) {
        Indexer<io.fabric8.kubernetes.api.model.Pod> indexer = informer.getIndexer();
        return candidates(indexer, namespace, selector).stream()
                .filter(p -> selector.matches(p.getMetadata().getLabels()))
                .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
                .map(p -> pod(indexer, p))
                .toList();
    }

    /**
     * The pod converted, once per version: cached objects are replaced, never changed, so a conversion is reused while
     * the cache holds the very object it was made from. Converting every pod of every target on every pass would
     * spend most of a pass parsing times and quantities, and would give each recorded decision its own copies.
     *
     * <p>Entries go when the informer reports the pod deleted (or replaced). A conversion stored just after such a
     * report would outlive it, so it is kept only if the cache still holds its object after it was stored.
     */
    private Pod pod(Indexer<io.fabric8.kubernetes.api.model.Pod> indexer, io.fabric8.kubernetes.api.model.Pod source) {
        String key = Cache.metaNamespaceKeyFunc(source);
        Converted known = converted.get(key);
        if (known != null && known.source() == source) {
            return known.pod();
        }
        Converted fresh = new Converted(source, Conversions.pod(source));
        converted.put(key, fresh);
        if (indexer.getByKey(key) != source) {
            converted.remove(key, fresh);
        }
        return fresh.pod();
    }

    /** The label index keys of an object: {@code namespace/key=value} for each label. */
    private static List<String> labelIndexKeys(HasMetadata object) {
        Map<String, String> labels = object.getMetadata().getLabels();
        if (labels == null || labels.isEmpty()) {
            return List.of();
        }
        String namespace = object.getMetadata().getNamespace();
        List<String> keys = new ArrayList<>(labels.size());
        labels.forEach((key, value) -> keys.add(namespace + "/" + key + "=" + value));
        return keys;
    }

    /**
     * A superset of the namespace's pods that match {@code selector}: the smallest label bucket among its
     * {@code matchLabels} (every match carries each of those labels), or the whole namespace when it has none.
     */
    private static List<io.fabric8.kubernetes.api.model.Pod> candidates(
            Indexer<io.fabric8.kubernetes.api.model.Pod> indexer, String namespace, Selector selector) {
        if (selector.matchLabels().isEmpty()) {
            return indexer.byIndex(Cache.NAMESPACE_INDEX, namespace);
        }
        List<String> smallest = null;
        for (Map.Entry<String, String> label : selector.matchLabels().entrySet()) {
            List<String> keys =
                    indexer.indexKeys(LABEL_INDEX, namespace + "/" + label.getKey() + "=" + label.getValue());
            if (smallest == null || keys.size() < smallest.size()) {
                smallest = keys;
            }
            if (smallest.size() <= SMALL_BUCKET) {
                break;
            }
        }
        List<io.fabric8.kubernetes.api.model.Pod> pods = new ArrayList<>(smallest.size());
        for (String key : smallest) {
            io.fabric8.kubernetes.api.model.Pod pod = indexer.getByKey(key);
            if (pod != null) {
                pods.add(pod);
            }
        }
        return pods;
    }
}
