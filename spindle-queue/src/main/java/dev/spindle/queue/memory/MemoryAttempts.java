package dev.spindle.queue.memory;

import dev.spindle.queue.spi.AttemptOutcome;
import dev.spindle.queue.spi.AttemptRecord;
import dev.spindle.queue.spi.JobAttempts;
import dev.spindle.queue.spi.RefusedWrite;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The attempts ledger of one job of an {@link InMemoryJobStore}: its attempts and refused writes of
 * the last {@code keep} claims. Guarded by the store's lock; not thread-safe.
 */
final class MemoryAttempts {
  private final List<AttemptRecord> attempts = new ArrayList<>();
  private final List<RefusedWrite> refused = new ArrayList<>();

  /** Opens the attempt of a claim, dropping the entries of claims older than the last {@code keep}. */
  void start(int number, long fence, String workerId, @Nullable String host, Instant at, int keep) {
    long oldestKept = fence - keep + 1;
    attempts.removeIf(a -> a.fence() < oldestKept);
    refused.removeIf(r -> r.fence() < oldestKept);
    attempts.add(new AttemptRecord(number, fence, workerId, host, at, null, null, null));
  }

  /** Closes the running attempt of {@code fence}, if it is kept and open. */
  void close(long fence, Instant at, AttemptOutcome how, @Nullable String errorJson) {
    for (int i = attempts.size() - 1; i >= 0; i--) {
      AttemptRecord a = attempts.get(i);
      if (a.fence() == fence) {
        if (a.running()) {
          attempts.set(i, a.closed(at, how, errorJson));
        }
        return;
      }
    }
  }

  /** Adds a write the fence refused. */
  void refuse(RefusedWrite write) {
    refused.add(write);
  }

  JobAttempts read() {
    return new JobAttempts(attempts, refused);
  }
}
