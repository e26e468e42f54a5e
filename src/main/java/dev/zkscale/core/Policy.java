package dev.zkscale.core;

/**
 * The scaling policy a target opts into with the config field {@code policy}; a target without one is decided exactly
 * as the HPA decides. Immutable, validated by the codec.
 *
 * @param type the algorithm
 * @param shadow true to compute and record the policy's recommendation beside the HPA's decision without acting on it
 * @param podStartupSeconds how long a new pod takes from the write to Ready (start plus readiness), in seconds: part
 *     of the forecast's horizon
 * @param quantile the share of future demand the recommended size should cover, in (0, 1): the forecast's upper
 *     bound is taken at this quantile of its online-estimated error
 */
public record Policy(Type type, boolean shadow, int podStartupSeconds, double quantile) {

    /** The default {@link #podStartupSeconds}: a container image already on the node and a short readiness probe. */
    public static final int DEFAULT_POD_STARTUP_SECONDS = 30;

    /** The default {@link #quantile}. */
    public static final double DEFAULT_QUANTILE = 0.99;

    /** The algorithms; one for now. */
    public enum Type {
        /** Scale to a short-horizon demand forecast's upper bound ({@link Forecaster}). */
        Forecast
    }
}
