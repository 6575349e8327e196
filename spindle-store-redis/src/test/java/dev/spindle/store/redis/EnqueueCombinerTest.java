package dev.spindle.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobState;
import dev.spindle.queue.StoreException;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.NewJob;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Group commit of concurrent enqueues: batches that arrive while a call is on its way go out
 * together in the next call, each keeping its own answer; a failed call fails each of its
 * batches; and on a real Redis, sixteen threads lose nothing and share unique keys correctly.
 */
class EnqueueCombinerTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static NewJob job(String args, String unique) {
    return new NewJob("comb.task", args, "default", 0, T0, unique, JobPolicy.defaults(), T0);
  }

  /**
   * A script call stand-in: records each call's arguments, answers ids in order, and holds the
   * first {@code held} calls until {@link #release} opens ({@link #started} counts them in).
   */
  private static final class HeldSend implements Function<List<NewJob>, List<EnqueueResult>> {
    final List<List<String>> calls = new CopyOnWriteArrayList<>();
    final CountDownLatch started;
    final CountDownLatch release = new CountDownLatch(1);
    private final int held;
    private final AtomicInteger ids = new AtomicInteger();

    HeldSend(int held) {
      this.held = held;
      this.started = new CountDownLatch(held);
    }

    @Override
    public List<EnqueueResult> apply(List<NewJob> jobs) {
      calls.add(jobs.stream().map(NewJob::argsJson).toList());
      if (calls.size() <= held) {
        started.countDown();
        await().until(() -> release.getCount() == 0);
      }
      return jobs.stream().map(j -> new EnqueueResult(Integer.toString(ids.incrementAndGet()), true, JobState.QUEUED))
          .toList();
    }
  }

  @Test
  void batchesThatArriveWhileACallIsOnItsWayGoOutTogetherInTheNext() throws Exception {
    HeldSend send = new HeldSend(1);
    List<List<String>> calls = send.calls;
    EnqueueCombiner combiner = new EnqueueCombiner(send, 100, Long.MAX_VALUE, 1);
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      Future<List<EnqueueResult>> a = pool.submit(() -> combiner.enqueue(List.of(job("1", null))));
      send.started.await();
      Future<List<EnqueueResult>> b = pool.submit(() -> combiner.enqueue(List.of(job("2", null))));
      Future<List<EnqueueResult>> c = pool.submit(() -> combiner.enqueue(List.of(job("3", null), job("4", null))));
      await().until(() -> combiner.waiting() == 2);
      send.release.countDown();
      assertThat(a.get()).extracting(EnqueueResult::jobId).containsExactly("1");
      List<String> bc = new ArrayList<>();
      bc.addAll(b.get().stream().map(EnqueueResult::jobId).toList());
      bc.addAll(c.get().stream().map(EnqueueResult::jobId).toList());
      assertThat(calls).hasSize(2);
      assertThat(calls.get(0)).containsExactly("1");
      assertThat(calls.get(1)).containsExactlyInAnyOrder("2", "3", "4");
      assertThat(b.get()).hasSize(1);
      assertThat(c.get()).hasSize(2);
      assertThat(bc).containsExactlyInAnyOrder("2", "3", "4");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aCallerInterruptedWhileItsBatchWaitsStillGetsItsResultAndKeepsTheInterrupt() throws Exception {
    HeldSend send = new HeldSend(1);
    EnqueueCombiner combiner = new EnqueueCombiner(send, 100, Long.MAX_VALUE, 1);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<List<EnqueueResult>> a = pool.submit(() -> combiner.enqueue(List.of(job("1", null))));
      send.started.await();
      AtomicReference<Thread> waiter = new AtomicReference<>();
      Future<Boolean> b = pool.submit(() -> {
        waiter.set(Thread.currentThread());
        List<EnqueueResult> r = combiner.enqueue(List.of(job("2", null)));
        return r.size() == 1 && Thread.currentThread().isInterrupted();
      });
      await().until(() -> combiner.waiting() == 1);
      waiter.get().interrupt();
      send.release.countDown();
      assertThat(a.get()).hasSize(1);
      assertThat(b.get()).as("result delivered, interrupt kept").isTrue();
      assertThat(send.calls).hasSize(2);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aFailedCallFailsEachOfItsBatchesAndTheNextCallStillGoesOut() throws Exception {
    CountDownLatch firstCallStarted = new CountDownLatch(1);
    CountDownLatch releaseFirstCall = new CountDownLatch(1);
    AtomicInteger call = new AtomicInteger();
    EnqueueCombiner combiner = new EnqueueCombiner(jobs -> {
      int n = call.incrementAndGet();
      if (n == 1) {
        firstCallStarted.countDown();
        await().until(() -> releaseFirstCall.getCount() == 0);
        return List.of(new EnqueueResult("1", true, JobState.QUEUED));
      }
      if (n == 2) {
        throw new StoreException(StoreException.Reason.DISK_FULL, "Redis is out of memory");
      }
      return List.of(new EnqueueResult("9", true, JobState.QUEUED));
    }, 100, Long.MAX_VALUE, 1);
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      Future<List<EnqueueResult>> a = pool.submit(() -> combiner.enqueue(List.of(job("1", null))));
      firstCallStarted.await();
      Future<List<EnqueueResult>> b = pool.submit(() -> combiner.enqueue(List.of(job("2", null))));
      Future<List<EnqueueResult>> c = pool.submit(() -> combiner.enqueue(List.of(job("3", null))));
      await().until(() -> combiner.waiting() == 2);
      releaseFirstCall.countDown();
      assertThat(a.get()).hasSize(1);
      for (Future<List<EnqueueResult>> f : List.of(b, c)) {
        assertThatThrownBy(f::get).hasCauseInstanceOf(StoreException.class).hasMessageContaining("out of memory");
      }
      assertThat(combiner.enqueue(List.of(job("4", null)))).extracting(EnqueueResult::jobId).containsExactly("9");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void withTwoCallsInFlightTheSecondBatchGoesAtOnceAndLaterOnesWaitTogether() throws Exception {
    HeldSend send = new HeldSend(2);
    List<List<String>> calls = send.calls;
    EnqueueCombiner combiner = new EnqueueCombiner(send, 100, Long.MAX_VALUE, 2);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      Future<List<EnqueueResult>> a = pool.submit(() -> combiner.enqueue(List.of(job("1", null))));
      Future<List<EnqueueResult>> b = pool.submit(() -> combiner.enqueue(List.of(job("2", null))));
      send.started.await(); // both went out without waiting for each other
      Future<List<EnqueueResult>> c = pool.submit(() -> combiner.enqueue(List.of(job("3", null))));
      await().until(() -> combiner.waiting() == 1); // c arrives before d: the group keeps arrival order
      Future<List<EnqueueResult>> d = pool.submit(() -> combiner.enqueue(List.of(job("4", null))));
      await().until(() -> combiner.waiting() == 2);
      send.release.countDown();
      for (Future<List<EnqueueResult>> f : List.of(a, b, c, d)) {
        assertThat(f.get()).hasSize(1);
      }
      assertThat(calls).hasSize(3);
      assertThat(calls.subList(0, 2)).containsExactlyInAnyOrder(List.of("1"), List.of("2"));
      assertThat(calls.get(2)).containsExactly("3", "4");
      assertThat(combiner.waiting()).isZero();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void everyCallerReturnsUnderHeavyContention() throws Exception {
    // platform threads contending for the lock while their batches complete: a wake-up taken by a
    // wait for the lock must not leave a caller parked with its batch done
    AtomicInteger ids = new AtomicInteger();
    EnqueueCombiner combiner = new EnqueueCombiner(jobs -> jobs.stream()
        .map(j -> new EnqueueResult(Integer.toString(ids.incrementAndGet()), true, JobState.QUEUED)).toList(),
        100, Long.MAX_VALUE, 2);
    int threads = 16;
    int each = 5_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Integer>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(pool.submit(() -> {
          int n = 0;
          for (int i = 0; i < each; i++) {
            n += combiner.enqueue(List.of(job("x", null))).size();
          }
          return n;
        }));
      }
      for (Future<Integer> f : done) {
        assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(each);
      }
      assertThat(ids.get()).isEqualTo(threads * each);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void sixteenThreadsEnqueueingAtOnceLoseNothingAndShareUniqueKeys() throws Exception {
    try (RedisJobStore store = SharedRedis.open("combiner", null)) {
      int threads = 16;
      int each = 150;
      CountDownLatch start = new CountDownLatch(1);
      List<CompletableFuture<List<EnqueueResult>>> all = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        all.add(CompletableFuture.supplyAsync(() -> {
          List<EnqueueResult> mine = new ArrayList<>();
          try {
            start.await();
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
          for (int i = 0; i < each; i++) {
            mine.addAll(store.enqueue(List.of(job(thread + "-" + i, null))));
            mine.addAll(store.enqueue(List.of(job("u", "same-key-" + (i % 10)))));
          }
          return mine;
        }, Executors.newVirtualThreadPerTaskExecutor()));
      }
      start.countDown();
      Set<String> plain = new HashSet<>();
      List<EnqueueResult> unique = new ArrayList<>();
      for (CompletableFuture<List<EnqueueResult>> f : all) {
        for (EnqueueResult r : f.get()) {
          if (store.find(r.jobId()).orElseThrow().uniqueKey() == null) {
            assertThat(plain.add(r.jobId())).as("a job id answered twice: " + r.jobId()).isTrue();
          } else {
            unique.add(r);
          }
        }
      }
      assertThat(plain).hasSize(threads * each);
      assertThat(unique).hasSize(threads * each);
      assertThat(unique.stream().filter(EnqueueResult::created)).hasSize(10);
      assertThat(unique.stream().map(EnqueueResult::jobId).distinct()).hasSize(10);
    }
  }
}
