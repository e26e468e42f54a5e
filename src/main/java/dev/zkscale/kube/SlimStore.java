package dev.zkscale.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.jboss.logging.Logger;

/**
 * An informer's item store that keeps a slimmed copy of each object (only the fields zkscale reads) and the object's
 * conversion to the loop's value, both made once, on the informer's thread, when the informer stores a new version.
 * So the cache holds a fraction of each object (a pod's spec, status and managed fields are most of it), and a pass
 * converts nothing: the conversion of an unchanged object is the one made when it was stored.
 *
 * <p>The informer stores, replaces and removes; passes read concurrently. A conversion is put before its object and
 * removed before it, so a reader may see the conversion of a newer version than the object it found, never none for
 * an object that is stored (except one whose conversion failed: it is logged, and {@link #converted} is null).
 *
 * @param <T> the fabric8 type
 * @param <V> the conversion
 */
final class SlimStore<T extends HasMetadata, V> extends BasicItemStore<T> {
    private static final Logger LOG = Logger.getLogger(SlimStore.class);

    private final UnaryOperator<T> slim;
    private final Function<T, V> convert;
    private final Map<String, V> converted = new ConcurrentHashMap<>();

    /**
     * @param slim a copy of the object with what is read of the cached object itself (name, namespace,
     *     resourceVersion and labels at least: the informer's keys and indexes); the object is not modified
     * @param convert the object's conversion, from the whole object
     */
    SlimStore(UnaryOperator<T> slim, Function<T, V> convert) {
        super(Cache::metaNamespaceKeyFunc);
        this.slim = slim;
        this.convert = convert;
    }

    @Override
    public T put(String key, T object) {
        V value = null;
        try {
            value = convert.apply(object);
        } catch (RuntimeException e) {
            LOG.warnf(e, "%s %s cannot be read; it is ignored until it changes", object.getKind(), key);
        }
        if (value == null) {
            converted.remove(key);
        } else {
            converted.put(key, value);
        }
        return super.put(key, slim.apply(object));
    }

    @Override
    public T remove(String key) {
        converted.remove(key);
        return super.remove(key);
    }

    /** The conversion of the object stored under {@code key}, or null when none is stored (or it is unreadable). */
    V converted(String key) {
        return converted.get(key);
    }
}
