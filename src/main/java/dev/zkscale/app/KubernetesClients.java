package dev.zkscale.app;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * Builds the fabric8 client as fabric8 finds the API server (in-cluster service account, kubeconfig,
 * {@code KUBERNETES_MASTER}), read when zkscale starts rather than fixed at build time, with the overrides of
 * {@link Settings}: short timeouts, so that one slow call cannot stall a pass.
 */
final class KubernetesClients {

    private KubernetesClients() {}

    /** The Kubernetes client settings, named as Quarkus' kubernetes-client extension names them. */
    @ConfigMapping(prefix = "quarkus.kubernetes-client")
    interface Settings {
        /** The API server's URL, overriding what fabric8 finds. */
        Optional<String> apiServerUrl();

        /** Trust the API server's certificate without checking it. */
        Optional<Boolean> trustCerts();

        /** How long one request may take; at most a third of {@code zkscale.zookeeper.session-timeout}. */
        @WithDefault("3s")
        Duration requestTimeout();

        /** How long connecting may take. */
        @WithDefault("3s")
        Duration connectionTimeout();
    }

    static KubernetesClient create(Settings settings) {
        ConfigBuilder config = new ConfigBuilder(Config.autoConfigure(null));
        settings.apiServerUrl().ifPresent(config::withMasterUrl);
        settings.trustCerts().ifPresent(config::withTrustCerts);
        config.withRequestTimeout((int) settings.requestTimeout().toMillis());
        config.withConnectionTimeout((int) settings.connectionTimeout().toMillis());
        return new KubernetesClientBuilder().withConfig(config.build()).build();
    }
}
