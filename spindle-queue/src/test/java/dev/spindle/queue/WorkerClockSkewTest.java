package dev.spindle.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.Task;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.memory.InMemoryJobStore;
import dev.spindle.queue.spi.WorkerRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A worker compares its clock with the store's at each heartbeat. One clock, moved by the test,
 * drives both the worker and the store, so they never differ: whatever skew is measured is the
 * worker's mistake. Real in-memory store and real threads; heartbeats are counted, not waited for.
 */
class WorkerClockSkewTest {

  @Test
  void timeATickSpendsBeforeItsHeartbeatIsNotTakenForClockSkew() throws Exception {
    SteppedClock clock = SteppedClock.at(Instant.parse("2026-01-01T00:00:00Z")); // moves only when told to
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch end = new CountDownLatch(1);
    Task<Long, Long> hang = Task.of("t.hang", Long.class, Long.class, x -> {
      running.countDown();
      end.await();
      return x;
    });
    TaskRegistry registry = TaskRegistry.builder().add(hang).build();
    AtomicReference<Worker> worker = new AtomicReference<>();
    AtomicReference<InMemoryJobStore> memory = new AtomicReference<>();
    // the skew the worker, and the store's record of it, know as each heartbeat begins: that of the one before
    Map<Integer, Optional<Duration>> measured = new ConcurrentHashMap<>();
    Map<Integer, Optional<Duration>> recorded = new ConcurrentHashMap<>();
    Heartbeats beats = new Heartbeats(n -> {
      Worker w = worker.get();
      if (w != null) {
        recorded.put(n, memory.get().workers().stream().filter(r -> r.id().equals(w.id())).findFirst()
            .map(WorkerRecord::clockSkew));
        measured.put(n, w.clockSkew());
      }
    });
    AtomicInteger beforeStall = new AtomicInteger(-1);
    CountDownLatch stalled = new CountDownLatch(1);
    try (InMemoryJobStore store = new InMemoryJobStore("memory", clock);
         Worker w = Worker.builder(beats.wrap(store)).registry(registry).concurrency(1).clock(clock)
             .heartbeatInterval(Duration.ofMillis(20)).leaseDuration(Duration.ofSeconds(30))
             .pollInterval(Duration.ofMillis(50)).shutdownGrace(Duration.ofSeconds(10))
             .listener(e -> {
               if (e.type() == JobEvent.Type.TIMED_OUT && stalled.getCount() > 0) {
                 // the tick that checks timeouts stalls here for an hour, before its heartbeat
                 beforeStall.set(beats.begun());
                 clock.step(Duration.ofHours(1));
                 stalled.countDown();
               }
             }).start();
         JobQueue q = JobQueue.builder(store).registry(registry).clock(clock).build()) {
      memory.set(store);
      worker.set(w);
      try {
        // the job's timeout runs on the monotonic clock: the first tick after 100 ms stops it
        q.enqueue(hang, 1L, JobOptions.builder().timeout(Duration.ofMillis(100)).build());
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(stalled.await(10, TimeUnit.SECONDS)).isTrue();
        // that tick's heartbeat is the next to begin; the one after it shows what that one measured
        int stalledBeat = beforeStall.get() + 1;
        // heartbeats also come round on the monotonic clock, so they go on while this clock stands still
        await().atMost(Duration.ofSeconds(30)).until(() -> measured.containsKey(stalledBeat + 1));
        assertThat(measured.get(stalledBeat + 1)).as("the worker's skew after the slow tick's heartbeat")
            .hasValueSatisfying(s -> assertThat(s.abs()).isLessThan(Duration.ofSeconds(1)));
        assertThat(recorded.get(stalledBeat + 1)).as("the store's record of it")
            .hasValueSatisfying(s -> assertThat(s.abs()).isLessThan(Duration.ofSeconds(1)));
        assertThat(w.failure()).isEmpty();
      } finally {
        end.countDown();
      }
    }
  }
}
