package dev.spindle.queue.spi;

import java.util.List;
import java.util.Objects;

/**
 * The answer to {@link JobStore#completeAndClaim}: which completions were applied, and what was
 * claimed.
 *
 * @param applied one flag per completion, in order: false if it was fenced off (the worker no
 *     longer held the job)
 * @param claim the claim's result, or an empty one if nothing was asked
 */
public record Exchange(List<Boolean> applied, ClaimResult claim) {
  public Exchange {
    applied = List.copyOf(applied);
    Objects.requireNonNull(claim, "claim");
  }
}
