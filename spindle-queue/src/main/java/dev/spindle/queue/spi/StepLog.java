package dev.spindle.queue.spi;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a durable job has recorded, as {@link DurableStore#load} hands it to the attempt that holds
 * the job (or {@link DurableStore#view} to a reader). Immutable; thread-safe.
 *
 * @param steps the step records, by sequence then name and occurrence
 * @param signalCounts per signal name, how many signals the store keeps for the job
 * @param waitingFor what the job last suspended on, or {@code null}
 */
public record StepLog(List<StepRecord> steps, Map<String, Integer> signalCounts, @Nullable WaitFor waitingFor) {
  public StepLog {
    steps = List.copyOf(steps);
    signalCounts = Map.copyOf(signalCounts);
  }

  /** A job that recorded nothing. */
  public static StepLog empty() {
    return new StepLog(List.of(), Map.of(), null);
  }

  /** The record of ({@code name}, {@code occurrence}), if any. */
  public java.util.Optional<StepRecord> find(String name, int occurrence) {
    Objects.requireNonNull(name, "name");
    return steps.stream().filter(s -> s.occurrence() == occurrence && s.name().equals(name)).findFirst();
  }
}
