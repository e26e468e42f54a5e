package dev.zkscale.codec;

import java.util.regex.Pattern;

/**
 * The grammar of Kubernetes object names, as the API server's validation has it: a DNS-1123 label (namespaces,
 * container names) and a DNS-1123 subdomain (Deployments, StatefulSets, pods).
 */
public final class KubernetesNames {
    /** The longest DNS-1123 label. */
    public static final int MAX_LABEL = 63;

    /** The longest DNS-1123 subdomain. */
    public static final int MAX_SUBDOMAIN = 253;

    /** What a label is, for messages. */
    public static final String LABEL_RULE = "a DNS-1123 label: at most 63 lower-case letters, digits and '-', "
            + "starting and ending with a letter or digit";

    /** What a subdomain is, for messages. */
    public static final String SUBDOMAIN_RULE = "a DNS-1123 subdomain: at most 253 lower-case letters, digits, '-' "
            + "and '.', each part starting and ending with a letter or digit";

    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    private KubernetesNames() {}

    public static boolean isLabel(String name) {
        return name.length() <= MAX_LABEL && LABEL.matcher(name).matches();
    }

    public static boolean isSubdomain(String name) {
        return name.length() <= MAX_SUBDOMAIN && SUBDOMAIN.matcher(name).matches();
    }
}
