package dev.spindle.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.Task;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.memory.InMemoryJobStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * How a worker calls its {@link JobObserver}: one start and one end per attempt, the ends off the
 * dispatcher thread (so metrics and tracing do not lengthen its loop), each with its outcome, and
 * every end delivered before the worker's close returns. Real in-memory store and real threads.
 */
class WorkerObserverTest {
  private static final Task<Long, Long> DOUBLE = Task.of("o.double", Long.class, Long.class, x -> {
    if (x < 0) {
      throw new IllegalArgumentException("negative: " + x);
    }
    return 2 * x;
  });
  private static final TaskRegistry REGISTRY = TaskRegistry.builder().add(DOUBLE).build();

  /** Records what the worker told it, by job id. */
  private static final class Recorder implements JobObserver {
    final Map<String, AtomicInteger> starts = new ConcurrentHashMap<>();
    final Map<String, Outcome> ends = new ConcurrentHashMap<>();
    final AtomicInteger doubleEnds = new AtomicInteger();
    final AtomicInteger inconsistent = new AtomicInteger();
    final Set<String> endThreads = ConcurrentHashMap.newKeySet();

    @Override
    public Attempt started(JobInfo job, Duration waited) {
      starts.computeIfAbsent(job.id(), k -> new AtomicInteger()).incrementAndGet();
      return new Attempt() {
        @Override
        public void finished(Outcome outcome, Duration runTime, JobError error) {
          if (runTime.isNegative() || (error == null) != (outcome == Outcome.SUCCEEDED)) {
            inconsistent.incrementAndGet(); // counted: an assertion here would only be logged
          }
          endThreads.add(Thread.currentThread().getName());
          if (ends.put(job.id(), outcome) != null) {
            doubleEnds.incrementAndGet();
          }
        }
      };
    }
  }

  @Test
  void everyAttemptEndsOnceOffTheDispatcherAndAllBeforeCloseReturns() {
    Recorder recorder = new Recorder();
    int jobs = 500;
    List<JobHandle<Long>> handles = new ArrayList<>();
    try (InMemoryJobStore store = new InMemoryJobStore();
         JobQueue q = JobQueue.builder(store).registry(REGISTRY).build()) {
      try (Worker w = Worker.builder(store).registry(REGISTRY).concurrency(8).observer(recorder)
          .pollInterval(Duration.ofMillis(20)).shutdownGrace(Duration.ofSeconds(10)).start()) {
        for (long i = 0; i < jobs; i++) {
          JobOptions opts = JobOptions.builder().retry(RetryPolicy.none()).build();
          handles.add(q.enqueue(DOUBLE, i % 50 == 0 ? -i - 1 : i, opts)); // every 50th fails
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> w.stats().succeeded() + w.stats().failed() == jobs);
      } // close: every end delivered by now, with no waiting on the observer
      assertThat(recorder.starts).hasSize(jobs).allSatisfy((id, n) -> assertThat(n.get()).isEqualTo(1));
      assertThat(recorder.ends).hasSize(jobs);
      assertThat(recorder.doubleEnds.get()).isZero();
      assertThat(recorder.inconsistent.get()).as("negative run times or errors on the wrong outcomes").isZero();
      for (JobHandle<Long> h : handles) {
        JobState s = store.find(h.id()).orElseThrow().state();
        assertThat(recorder.ends.get(h.id())).isEqualTo(s == JobState.SUCCEEDED ? JobObserver.Outcome.SUCCEEDED
            : JobObserver.Outcome.FAILED);
      }
      assertThat(recorder.ends.values()).filteredOn(o -> o == JobObserver.Outcome.FAILED).hasSize(jobs / 50);
      assertThat(recorder.endThreads).isNotEmpty().noneMatch(t -> t.endsWith("-dispatch"));
    }
  }

  /**
   * However a worker batches the ends it hands to the observer's thread, a job that runs on does not
   * hold back the end of one that finished beside it: the observer hears of it while the other runs.
   */
  @Test
  void aFinishedJobsEndReachesTheObserverWhileAnotherJobStillRuns() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Task<Long, Long> block = Task.of("o.block", Long.class, Long.class, x -> {
      release.await();
      return x;
    });
    TaskRegistry registry = TaskRegistry.builder().add(DOUBLE).add(block).build();
    Recorder recorder = new Recorder();
    try (InMemoryJobStore store = new InMemoryJobStore();
         JobQueue q = JobQueue.builder(store).registry(registry).build();
         Worker w = Worker.builder(store).registry(registry).concurrency(2).observer(recorder)
             .pollInterval(Duration.ofMillis(20)).shutdownGrace(Duration.ofSeconds(10)).start()) {
      try {
        JobHandle<Long> slow = q.enqueue(block, 1L);
        await().atMost(Duration.ofSeconds(30)).until(() -> recorder.starts.containsKey(slow.id()));
        JobHandle<Long> quick = q.enqueue(DOUBLE, 2L);
        await().atMost(Duration.ofSeconds(30)).until(() -> recorder.ends.containsKey(quick.id()));
        assertThat(recorder.ends).as("the slow job still runs").doesNotContainKey(slow.id());
        assertThat(w.stats().running()).isEqualTo(1);
      } finally {
        release.countDown();
      }
    }
  }
}
