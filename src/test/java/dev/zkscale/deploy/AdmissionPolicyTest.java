package dev.zkscale.deploy;

import static dev.zkscale.kube.Fixtures.deployment;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelException;
import dev.cel.common.types.SimpleType;
import dev.cel.parser.CelStandardMacro;
import dev.zkscale.kube.KubeCluster;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MatchCondition;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBinding;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.Validation;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.Variable;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The ValidatingAdmissionPolicy that narrows zkscale's {@code patch} on workloads to {@code spec.replicas} and its own
 * annotations: its CEL expressions, as rendered in every overlay, evaluated with cel-java against pairs of objects
 * (old, new), as the API server evaluates them on an UPDATE by zkscale's ServiceAccount. The objects are given to CEL
 * as the API server's unstructured JSON (maps, lists, int64 numbers); where Kubernetes' CEL differs, see
 * docs/deployment.md.
 */
class AdmissionPolicyTest {
    private static final String POLICY = "zkscale-replicas-only";
    private static final String ZKSCALE = "system:serviceaccount:zkscale:zkscale";
    private static final String SPEC = "zkscale may change spec.replicas only";
    private static final String ANNOTATIONS = "zkscale may change its own annotations (zkscale.dev/...) only";
    private static final String METADATA = "zkscale may not change labels, owner references or finalizers";

    private static final Cel CEL = CelFactory.standardCelBuilder()
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addVar("object", SimpleType.DYN)
            .addVar("oldObject", SimpleType.DYN)
            .addVar("request", SimpleType.DYN)
            .addVar("variables", SimpleType.DYN)
            .build();

    /** web at 2 replicas, written by zkscale at epoch 3, with a label and another tool's annotation. */
    private static final Deployment WEB = new DeploymentBuilder(deployment(
                    "shop", "web", 2, Map.of("app", "web"), Map.of(KubeCluster.EPOCH_ANNOTATION, "3", "team", "a")))
            .editMetadata()
            .withLabels(Map.of("tier", "front"))
            .endMetadata()
            .build();

    static Stream<Arguments> changes() {
        return Stream.of(
                row(
                        "allowed: spec.replicas 2 to 5",
                        d -> edit(d).editSpec().withReplicas(5).endSpec().build()),
                row(
                        "allowed: zkscale's write, spec.replicas and the epoch annotation",
                        d -> edit(d).editSpec()
                                .withReplicas(5)
                                .endSpec()
                                .editMetadata()
                                .addToAnnotations(KubeCluster.EPOCH_ANNOTATION, "4")
                                .endMetadata()
                                .build()),
                row(
                        "allowed: the first epoch annotation, on an object without any",
                        d -> edit(d).editMetadata()
                                .withAnnotations(Map.of(KubeCluster.EPOCH_ANNOTATION, "1"))
                                .endMetadata()
                                .build(),
                        d -> edit(d).editMetadata()
                                .withAnnotations(null)
                                .endMetadata()
                                .build()),
                row(
                        "refused: the pod template's image",
                        d -> edit(d).editSpec()
                                .editTemplate()
                                .editSpec()
                                .editFirstContainer()
                                .withImage("evil:1")
                                .endContainer()
                                .endSpec()
                                .endTemplate()
                                .endSpec()
                                .build(),
                        SPEC),
                row(
                        "refused: the selector",
                        d -> edit(d).editSpec()
                                .editSelector()
                                .addToMatchLabels("x", "y")
                                .endSelector()
                                .endSpec()
                                .build(),
                        SPEC),
                row(
                        "refused: a spec field added",
                        d -> edit(d).editSpec().withPaused(true).endSpec().build(),
                        SPEC),
                row(
                        "refused: a spec field removed",
                        d -> edit(d).editSpec().withPaused(true).endSpec().build(),
                        d -> edit(d).editSpec().withPaused(null).endSpec().build(),
                        SPEC),
                row(
                        "refused: a label",
                        d -> edit(d).editMetadata()
                                .addToLabels("tier", "back")
                                .endMetadata()
                                .build(),
                        METADATA),
                row(
                        "refused: another annotation changed",
                        d -> edit(d).editMetadata()
                                .addToAnnotations("team", "b")
                                .endMetadata()
                                .build(),
                        ANNOTATIONS),
                row(
                        "refused: another annotation removed",
                        d -> edit(d).editMetadata()
                                .removeFromAnnotations("team")
                                .endMetadata()
                                .build(),
                        ANNOTATIONS),
                row(
                        "refused: an owner reference added",
                        d -> edit(d).editMetadata()
                                .addToOwnerReferences(new OwnerReferenceBuilder()
                                        .withApiVersion("v1")
                                        .withKind("ConfigMap")
                                        .withName("x")
                                        .withUid("1")
                                        .build())
                                .endMetadata()
                                .build(),
                        METADATA),
                row(
                        "refused: everything at once",
                        d -> edit(d).editSpec()
                                .withPaused(true)
                                .endSpec()
                                .editMetadata()
                                .addToLabels("tier", "back")
                                .addToAnnotations("team", "b")
                                .endMetadata()
                                .build(),
                        SPEC,
                        ANNOTATIONS,
                        METADATA));
    }

    private static Arguments row(String name, UnaryOperator<Deployment> change, String... refusals) {
        return row(name, change, UnaryOperator.identity(), refusals);
    }

    private static Arguments row(
            String name, UnaryOperator<Deployment> change, UnaryOperator<Deployment> before, String... refusals) {
        return Arguments.of(name, change, before, List.of(refusals));
    }

    private static DeploymentBuilder edit(Deployment d) {
        return new DeploymentBuilder(d);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("changes")
    @DisplayName("zkscale's ServiceAccount may change spec.replicas and its own annotations, nothing else")
    void deploymentChanges(
            String name, UnaryOperator<Deployment> change, UnaryOperator<Deployment> before, List<String> refusals)
            throws Exception {
        ValidatingAdmissionPolicy policy = policy("existing-zookeeper");
        Deployment old = before.apply(WEB);
        assertEquals(refusals, refusals(policy, old, change.apply(old)));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"existing-zookeeper", "zookeeper-ensemble", "namespaced"})
    @DisplayName("every overlay ships the policy, bound with Deny, and it holds for StatefulSets too")
    void everyOverlay(String overlay) throws Exception {
        List<HasMetadata> objects = Manifests.objects(overlay);
        ValidatingAdmissionPolicyBinding binding =
                Manifests.one(objects, ValidatingAdmissionPolicyBinding.class, POLICY);
        assertEquals(POLICY, binding.getSpec().getPolicyName());
        assertEquals(List.of("Deny"), binding.getSpec().getValidationActions());
        ValidatingAdmissionPolicy policy = policy(overlay);
        assertEquals("Fail", policy.getSpec().getFailurePolicy());
        StatefulSet db = new StatefulSetBuilder()
                .withNewMetadata()
                .withNamespace("shop")
                .withName("db")
                .endMetadata()
                .withNewSpec()
                .withReplicas(2)
                .withServiceName("db")
                .endSpec()
                .build();
        assertEquals(
                List.of(),
                refusals(
                        policy,
                        db,
                        new StatefulSetBuilder(db)
                                .editSpec()
                                .withReplicas(3)
                                .endSpec()
                                .build()));
        assertEquals(
                List.of(SPEC),
                refusals(
                        policy,
                        db,
                        new StatefulSetBuilder(db)
                                .editSpec()
                                .withServiceName("x")
                                .endSpec()
                                .build()));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"system:serviceaccount:argocd:argocd-application-controller", "kubernetes-admin"})
    @DisplayName("the policy applies to zkscale's ServiceAccount only: anyone else's change is not its business")
    void othersAreNotMatched(String user) throws Exception {
        ValidatingAdmissionPolicy policy = policy("existing-zookeeper");
        assertEquals(List.of(true), matches(policy, ZKSCALE));
        assertEquals(List.of(false), matches(policy, user));
    }

    private static ValidatingAdmissionPolicy policy(String overlay) {
        return Manifests.one(Manifests.objects(overlay), ValidatingAdmissionPolicy.class, POLICY);
    }

    private static List<Boolean> matches(ValidatingAdmissionPolicy policy, String user) throws CelException {
        Map<String, Object> request = Map.of("userInfo", Map.of("username", user));
        List<Boolean> out = new ArrayList<>();
        for (MatchCondition c : policy.getSpec().getMatchConditions()) {
            out.add((Boolean) eval(c.getExpression(), Map.of("request", request)));
        }
        return out;
    }

    /** The messages of the policy's validations that refuse the change from {@code old} to {@code object}. */
    private static List<String> refusals(ValidatingAdmissionPolicy policy, HasMetadata old, HasMetadata object)
            throws CelException {
        Map<String, Object> inputs = new HashMap<>();
        inputs.put("object", unstructured(object));
        inputs.put("oldObject", unstructured(old));
        inputs.put("request", Map.of("userInfo", Map.of("username", ZKSCALE)));
        Map<String, Object> variables = new LinkedHashMap<>();
        inputs.put("variables", variables);
        for (Variable v : policy.getSpec().getVariables()) {
            variables.put(v.getName(), eval(v.getExpression(), inputs));
        }
        List<String> refused = new ArrayList<>();
        for (Validation v : policy.getSpec().getValidations()) {
            if (!(Boolean) eval(v.getExpression(), inputs)) {
                refused.add(v.getMessage());
            }
        }
        return refused;
    }

    private static Object eval(String expression, Map<String, ?> inputs) throws CelException {
        return CEL.createProgram(CEL.compile(expression).getAst()).eval(inputs);
    }

    /** The object as the API server hands it to CEL: JSON maps and lists, with integers as int64. */
    private static Object unstructured(HasMetadata object) {
        return int64(Manifests.SERIALIZATION.convertValue(object, Map.class));
    }

    private static Object int64(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put((String) k, int64(v)));
            return out;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(AdmissionPolicyTest::int64).toList();
        }
        if (value instanceof Integer i) {
            return i.longValue();
        }
        return value;
    }
}
