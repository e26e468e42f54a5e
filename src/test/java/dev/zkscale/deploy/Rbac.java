package dev.zkscale.deploy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Kubernetes RBAC, as much of it as zkscale's manifests use, evaluated offline: requests are mapped to attributes as
 * the API server's request-info resolver does, and allowed when a rule bound to the ServiceAccount grants them.
 */
final class Rbac {
    private Rbac() {}

    /**
     * What a request asks for. {@code namespace} is null for a cluster-wide request (a list or watch across all
     * namespaces); {@code nonResourcePath} is set, and the rest null, for a request outside {@code /api} and
     * {@code /apis/GROUP/VERSION}.
     */
    record Access(String verb, String group, String resource, String namespace, String name, String nonResourcePath) {
        @Override
        public String toString() {
            if (nonResourcePath != null) {
                return verb + " " + nonResourcePath;
            }
            return verb + " " + (group.isEmpty() ? "core" : group) + "/" + resource
                    + (namespace == null ? " (all namespaces)" : " in " + namespace) + (name == null ? "" : " " + name);
        }
    }

    /**
     * A request's attributes, as {@code k8s.io/apiserver/pkg/endpoints/request.RequestInfoFactory} resolves them: GET
     * of a named object is get, of a collection list, or watch with {@code watch=true}; POST create; PUT update; PATCH
     * patch; DELETE delete or deletecollection. A subresource is {@code resource/subresource}.
     */
    static Access access(String method, String pathAndQuery) {
        URI uri = URI.create(pathAndQuery);
        String query = uri.getRawQuery() == null ? "" : uri.getRawQuery();
        boolean watch =
                Arrays.asList(query.split("&")).stream().anyMatch(p -> p.equals("watch=true") || p.equals("watch=1"));
        List<String> parts = Arrays.stream(uri.getPath().split("/"))
                .filter(s -> !s.isEmpty())
                .toList();
        int rest;
        String group;
        if (parts.size() >= 3 && parts.get(0).equals("api")) {
            group = "";
            rest = 2;
        } else if (parts.size() >= 4 && parts.get(0).equals("apis")) {
            group = parts.get(1);
            rest = 3;
        } else {
            return new Access(method.toLowerCase(), null, null, null, null, uri.getPath());
        }
        List<String> r = parts.subList(rest, parts.size());
        String namespace = null;
        if (r.size() >= 3 && r.get(0).equals("namespaces")) {
            namespace = r.get(1);
            r = r.subList(2, r.size());
        }
        String resource = r.get(0);
        String name = r.size() > 1 ? r.get(1) : null;
        if (r.size() > 2) {
            resource = resource + "/" + r.get(2);
        }
        String verb = switch (method) {
            case "GET", "HEAD" -> name != null ? (watch ? "watch" : "get") : (watch ? "watch" : "list");
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> name != null ? "delete" : "deletecollection";
            default -> throw new IllegalArgumentException("unexpected method " + method + " " + pathAndQuery);
        };
        return new Access(verb, group, resource, namespace, name, null);
    }

    /**
     * One permission held: {@code verb} on {@code group/resource}, in {@code namespace} (null: in every namespace and
     * cluster-wide), from the named role.
     */
    record Grant(String verb, String group, String resource, String namespace, String from) {
        boolean allows(Access a) {
            return a.nonResourcePath() == null
                    && verb.equals(a.verb())
                    && group.equals(a.group())
                    && resource.equals(a.resource())
                    && (namespace == null || namespace.equals(a.namespace()));
        }

        @Override
        public String toString() {
            return verb + " " + (group.isEmpty() ? "core" : group) + "/" + resource
                    + (namespace == null ? " (cluster-wide)" : " in " + namespace) + " from " + from;
        }
    }

    /**
     * Every permission the rendered objects give the ServiceAccount {@code namespace/name}: the rules of each
     * ClusterRole bound by a ClusterRoleBinding, and of each Role or ClusterRole bound by a RoleBinding (in that
     * binding's namespace). Wildcards, resourceNames and aggregation are refused, since least privilege forbids them
     * and this evaluator does not model them; so are bindings to roles that the manifests do not contain.
     */
    static List<Grant> grants(List<HasMetadata> objects, String namespace, String name) {
        List<Grant> out = new ArrayList<>();
        for (ClusterRoleBinding b : Manifests.all(objects, ClusterRoleBinding.class)) {
            if (binds(b.getSubjects(), namespace, name)) {
                ClusterRole role = clusterRole(
                        objects,
                        b.getRoleRef(),
                        "ClusterRoleBinding " + b.getMetadata().getName());
                out.addAll(expand(
                        role.getRules(),
                        null,
                        "ClusterRole " + role.getMetadata().getName()));
            }
        }
        for (RoleBinding b : Manifests.all(objects, RoleBinding.class)) {
            if (!binds(b.getSubjects(), namespace, name)) {
                continue;
            }
            String where = b.getMetadata().getNamespace();
            String what = "RoleBinding " + where + "/" + b.getMetadata().getName();
            if (b.getRoleRef().getKind().equals("ClusterRole")) {
                ClusterRole role = clusterRole(objects, b.getRoleRef(), what);
                out.addAll(expand(
                        role.getRules(),
                        where,
                        "ClusterRole " + role.getMetadata().getName() + " in " + where));
            } else {
                List<Role> roles = Manifests.all(objects, Role.class).stream()
                        .filter(r ->
                                r.getMetadata().getName().equals(b.getRoleRef().getName())
                                        && where.equals(r.getMetadata().getNamespace()))
                        .toList();
                if (roles.size() != 1) {
                    throw new AssertionError(what + " refers to Role "
                            + b.getRoleRef().getName() + ", which the manifests do not contain in " + where);
                }
                out.addAll(expand(
                        roles.get(0).getRules(),
                        where,
                        "Role " + where + "/" + b.getRoleRef().getName()));
            }
        }
        return out;
    }

    private static boolean binds(List<Subject> subjects, String namespace, String name) {
        return subjects != null
                && subjects.stream()
                        .anyMatch(s -> s.getKind().equals("ServiceAccount")
                                && name.equals(s.getName())
                                && namespace.equals(s.getNamespace()));
    }

    private static ClusterRole clusterRole(List<HasMetadata> objects, RoleRef ref, String what) {
        if (!ref.getKind().equals("ClusterRole")) {
            throw new AssertionError(what + " must refer to a ClusterRole, not a " + ref.getKind());
        }
        List<ClusterRole> roles = Manifests.all(objects, ClusterRole.class).stream()
                .filter(r -> r.getMetadata().getName().equals(ref.getName()))
                .toList();
        if (roles.size() != 1) {
            throw new AssertionError(
                    what + " refers to ClusterRole " + ref.getName() + ", which the manifests do not contain");
        }
        if (roles.get(0).getAggregationRule() != null) {
            throw new AssertionError(
                    "ClusterRole " + ref.getName() + " aggregates other roles: its rules are not known here");
        }
        return roles.get(0);
    }

    private static List<Grant> expand(List<PolicyRule> rules, String namespace, String from) {
        List<Grant> out = new ArrayList<>();
        for (PolicyRule rule : rules) {
            String where = from + " rule " + rule.getApiGroups() + " " + rule.getResources() + " " + rule.getVerbs();
            if (!rule.getNonResourceURLs().isEmpty()) {
                throw new AssertionError(where + ": grants non-resource URLs " + rule.getNonResourceURLs());
            }
            if (!rule.getResourceNames().isEmpty()) {
                throw new AssertionError(where + ": resourceNames are not modelled here");
            }
            Set<String> all = new LinkedHashSet<>();
            all.addAll(rule.getApiGroups());
            all.addAll(rule.getResources());
            all.addAll(rule.getVerbs());
            if (all.stream().anyMatch(s -> s.contains("*"))) {
                throw new AssertionError(where + ": a wildcard grants more than zkscale uses");
            }
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    for (String verb : rule.getVerbs()) {
                        out.add(new Grant(verb, group, resource, namespace, from));
                    }
                }
            }
        }
        return out;
    }

    /**
     * Paths every authenticated identity may read through Kubernetes' default ClusterRoles {@code system:discovery}
     * and {@code system:public-info-viewer}, so no rule of zkscale's has to grant them.
     */
    static boolean publicNonResource(Access a) {
        if (a.nonResourcePath() == null || !a.verb().equals("get")) {
            return false;
        }
        String p = a.nonResourcePath();
        return p.equals("/api")
                || p.equals("/apis")
                || p.startsWith("/api/")
                || p.startsWith("/apis/")
                || p.equals("/version")
                || p.equals("/version/")
                || p.equals("/healthz")
                || p.equals("/livez")
                || p.equals("/readyz")
                || p.equals("/openapi/v2")
                || p.startsWith("/openapi/v3");
    }
}
