package dev.zkscale.core;

/**
 * What a target's {@link Policy} recommended at one decision, beside the HPA's own proposal: why the decision is what
 * it is (or, in shadow mode, what it would have been).
 *
 * @param type the policy's algorithm
 * @param shadow true when the recommendation was only recorded, the HPA deciding
 * @param hpaReplicas the HPA formula's proposal
 * @param forecastReplicas the demand forecast at the horizon, in pods at the target utilization
 * @param upperReplicas the forecast's upper bound at the policy's coverage (its quantile's, or lower where calibrated
 *     against the HPA's rule); null while the policy warms up (it then recommends the HPA's proposal)
 * @param horizonSeconds how far ahead the forecast looked: metrics lag, pod startup and one sync period
 * @param replicas the policy's recommendation, before stabilization, rate limits and bounds
 */
public record PolicyRecommendation(
        Policy.Type type,
        boolean shadow,
        int hpaReplicas,
        double forecastReplicas,
        Double upperReplicas,
        double horizonSeconds,
        int replicas) {

    /** One line for a condition message or a log. */
    public String describe() {
        String upper = upperReplicas == null
                ? "warming up, following the HPA"
                : String.format(java.util.Locale.ROOT, "upper bound %.2f", upperReplicas);
        return String.format(
                java.util.Locale.ROOT,
                "%s policy%s recommends %d (forecast %.2f pods in %.0fs, %s; the HPA proposes %d)",
                type,
                shadow ? " (shadow)" : "",
                replicas,
                forecastReplicas,
                horizonSeconds,
                upper,
                hpaReplicas);
    }
}
