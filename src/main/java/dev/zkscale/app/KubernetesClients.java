package dev.zkscale.app;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Duration;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Builds the fabric8 client as fabric8 finds the API server (in-cluster service account, kubeconfig,
 * {@code KUBERNETES_MASTER}), read when zkscale starts, with these overrides: {@code quarkus.kubernetes-client.api-server-url},
 * {@code quarkus.kubernetes-client.trust-certs}, and short timeouts ({@code quarkus.kubernetes-client.request-timeout},
 * default 5s; {@code quarkus.kubernetes-client.connection-timeout}, default 3s) so that one slow call cannot stall a
 * pass.
 */
final class KubernetesClients {
    private static final String PREFIX = "quarkus.kubernetes-client.";

    private KubernetesClients() {
    }

    static KubernetesClient fromSettings() {
        org.eclipse.microprofile.config.Config settings = ConfigProvider.getConfig();
        ConfigBuilder config = new ConfigBuilder(Config.autoConfigure(null));
        settings.getOptionalValue(PREFIX + "api-server-url", String.class).ifPresent(config::withMasterUrl);
        settings.getOptionalValue(PREFIX + "trust-certs", Boolean.class).ifPresent(config::withTrustCerts);
        config.withRequestTimeout(millis(settings, "request-timeout", Duration.ofSeconds(5)));
        config.withConnectionTimeout(millis(settings, "connection-timeout", Duration.ofSeconds(3)));
        return new KubernetesClientBuilder().withConfig(config.build()).build();
    }

    private static int millis(org.eclipse.microprofile.config.Config settings, String name, Duration fallback) {
        return (int) settings.getOptionalValue(PREFIX + name, Duration.class).orElse(fallback).toMillis();
    }
}
