package dev.spindle.queue.memory;

import dev.spindle.queue.spi.AttemptLedger;
import dev.spindle.queue.spi.JobAttempts;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The {@link AttemptLedger} of an {@link InMemoryJobStore}: reads the ledgers its jobs keep
 * ({@link MemoryAttempts}), which the claims, completions and durable writes fill. Thread-safe
 * through the store's lock.
 */
final class MemoryLedger implements AttemptLedger {
  private final MemoryData data;

  MemoryLedger(MemoryData data) {
    this.data = data;
  }

  @Override
  public int keep() {
    return data.attemptsKept;
  }

  @Override
  public Optional<JobAttempts> attempts(String jobId) {
    synchronized (data.lock) {
      data.checkOpen();
      MemoryJob j = data.lookup(jobId);
      if (j == null) {
        return Optional.empty();
      }
      MemoryAttempts a = j.attempts;
      return Optional.of(a == null ? JobAttempts.none() : a.read());
    }
  }

  @Override
  public Map<String, Long> duplicatesByTask() {
    Map<String, Long> out = new TreeMap<>();
    synchronized (data.lock) {
      data.checkOpen();
      for (MemoryJob j : data.jobs.values()) {
        MemoryAttempts a = j.attempts;
        if (a != null && a.read().duplicate()) {
          out.merge(j.task, 1L, Long::sum);
        }
      }
    }
    return out;
  }
}
