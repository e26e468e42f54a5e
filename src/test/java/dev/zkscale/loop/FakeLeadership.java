package dev.zkscale.loop;

import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * A {@link Leadership} for unit tests: {@link #epoch()} answers from {@code epochs}, {@link #advancePast} from
 * {@code advance} (ours, foreign); always connected; {@link #whileLeading} just runs the call; no counter errors.
 */
public record FakeLeadership(Supplier<OptionalLong> epochs, Advance advance) implements Leadership {

    /** What {@link #advancePast} answers. */
    @FunctionalInterface
    public interface Advance {
        OptionalLong advancePast(long ours, long foreign);
    }

    /** Always epoch {@code epoch}; advancing fails. */
    public static FakeLeadership at(long epoch) {
        return new FakeLeadership(() -> OptionalLong.of(epoch), (ours, foreign) -> OptionalLong.empty());
    }

    @Override
    public OptionalLong epoch() {
        return epochs.get();
    }

    @Override
    public boolean connected() {
        return true;
    }

    @Override
    public OptionalLong advancePast(long ours, long foreign) {
        return advance.advancePast(ours, foreign);
    }

    @Override
    public <T> T whileLeading(long epoch, Supplier<T> call) {
        return call.get();
    }

    @Override
    public long counterErrors() {
        return 0;
    }
}
