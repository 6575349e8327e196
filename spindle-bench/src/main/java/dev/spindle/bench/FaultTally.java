package dev.spindle.bench;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.JobInspector;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What a fault benchmark left in a store: jobs per state over all queues, and how often jobs were
 * delivered again after their worker was killed.
 *
 * @param states jobs per state
 * @param redelivered jobs claimed more than once
 * @param extraClaims claims beyond each job's first
 * @param strikes lost-worker strikes over all jobs
 */
record FaultTally(Map<JobState, Long> states, long redelivered, long extraClaims, long strikes) {
  /** Pages through every job (the PostgreSQL store's summaries leave out jobs moved to its history). */
  static FaultTally of(JobInspector store) {
    Map<JobState, Long> states = new EnumMap<>(JobState.class);
    long redelivered = 0;
    long extraClaims = 0;
    long strikes = 0;
    String before = null;
    while (true) {
      List<JobInfo> page = store.listJobs(JobFilter.all().withLimit(10_000).withBeforeId(before));
      if (page.isEmpty()) {
        return new FaultTally(states, redelivered, extraClaims, strikes);
      }
      for (JobInfo j : page) {
        states.merge(j.state(), 1L, Long::sum);
        if (j.attempt() > 1) {
          redelivered++;
          extraClaims += j.attempt() - 1;
        }
        strikes += j.workerLost();
      }
      before = page.get(page.size() - 1).id();
    }
  }

  /**
   * The tally once all {@code n} jobs are in an end state, read every 200 ms for at most {@code
   * max}: a store's finished feed can count a number that a killed worker's transaction took and
   * never committed (PostgreSQL's sequence), so a feed that reached {@code n} may still leave a job
   * running until its lease runs out and another worker runs it.
   */
  static FaultTally settled(JobInspector store, long n, java.time.Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (true) {
      FaultTally t = of(store);
      long ended = t.states.entrySet().stream().filter(e -> e.getKey().isTerminal()).mapToLong(Map.Entry::getValue)
          .sum();
      if (ended >= n || System.nanoTime() >= deadline) {
        return t;
      }
      Thread.sleep(200);
    }
  }

  /** Jobs of the {@code n} enqueued that did not end SUCCEEDED. */
  long notSucceeded(long n) {
    return n - states.getOrDefault(JobState.SUCCEEDED, 0L);
  }

  /**
   * Prints what a fault run left, under its heading line: jobs per state, lost jobs (of the {@code n}
   * enqueued with {@code ids}) and duplicate executions ({@code executions}: one job id per line
   * the tasks logged as they ran).
   */
  void print(long n, Collection<String> ids, List<String> executions) {
    Set<String> executed = new HashSet<>(executions);
    long neverRan = ids.stream().filter(id -> !executed.contains(id)).count();
    System.out.printf(Locale.ROOT, "  states: %s%n", states);
    System.out.printf(Locale.ROOT, "  lost: %,d (jobs not SUCCEEDED: %,d; jobs that never ran: %,d)%n",
        notSucceeded(n), notSucceeded(n), neverRan);
    System.out.printf(Locale.ROOT, "  duplicates: %,d executions beyond the first (%,d executions logged for %,d "
            + "jobs); %,d jobs claimed more than once (%,d extra claims); %,d lost-worker strikes%n",
        executions.size() - executed.size(), executions.size(), executed.size(), redelivered, extraClaims, strikes);
  }

  /** All jobs in the store. */
  long total() {
    return states.values().stream().mapToLong(Long::longValue).sum();
  }
}
