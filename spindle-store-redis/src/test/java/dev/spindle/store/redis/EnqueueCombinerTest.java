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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * Group commit of small enqueues: a batch that finds a call free goes out at once from its caller's
 * thread; the batches enqueued while calls are out go out together when one returns, each completed
 * with its own slice of the answer; a failed call fails each of its batches and the next group still
 * goes out; nothing is sent by recursion when calls fail before they leave. Callers that wait get
 * their slice or a failure of their own, keep an interrupt, and all return under contention; on a
 * real Redis, sixteen threads lose nothing and share unique keys correctly.
 */
class EnqueueCombinerTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static NewJob job(String args) {
    return job(args, null);
  }

  private static NewJob job(String args, @Nullable String unique) {
    return new NewJob("comb.task", args, "default", 0, T0, unique, JobPolicy.defaults(), T0);
  }

  /** A script call stand-in: records each call and its thread, and leaves the answer to the test. */
  private static final class ManualSend implements Function<List<NewJob>, CompletableFuture<List<EnqueueResult>>> {
    final List<List<String>> calls = new CopyOnWriteArrayList<>();
    final List<Thread> threads = new CopyOnWriteArrayList<>();
    final List<CompletableFuture<List<EnqueueResult>>> replies = new CopyOnWriteArrayList<>();
    private int ids;

    @Override
    public synchronized CompletableFuture<List<EnqueueResult>> apply(List<NewJob> jobs) {
      calls.add(jobs.stream().map(NewJob::argsJson).toList());
      threads.add(Thread.currentThread());
      CompletableFuture<List<EnqueueResult>> reply = new CompletableFuture<>();
      replies.add(reply);
      return reply;
    }

    /** Answers call {@code k} with the next ids, one per job. */
    void answer(int k) {
      List<EnqueueResult> out = new ArrayList<>();
      for (int i = 0; i < calls.get(k).size(); i++) {
        out.add(new EnqueueResult(Integer.toString(++ids), true, JobState.QUEUED));
      }
      replies.get(k).complete(out);
    }
  }

  private static List<String> ids(CompletableFuture<List<EnqueueResult>> f) throws Exception {
    return f.get().stream().map(EnqueueResult::jobId).toList();
  }

  @Test
  void aBatchThatFindsACallFreeGoesOutAtOnceFromItsCallersThread() throws Exception {
    ManualSend send = new ManualSend();
    EnqueueCombiner combiner = new EnqueueCombiner(send, 100, Long.MAX_VALUE, 1);

    CompletableFuture<List<EnqueueResult>> a = combiner.enqueue(List.of(job("1")));

    assertThat(send.calls).containsExactly(List.of("1"));
    assertThat(send.threads).containsExactly(Thread.currentThread());
    assertThat(a).isNotDone();
    send.answer(0);
    assertThat(ids(a)).containsExactly("1");
  }

  @Test
  void batchesEnqueuedWhileTheCallIsOutGoTogetherWhenItReturnsEachWithItsOwnSlice() throws Exception {
    ManualSend send = new ManualSend();
    EnqueueCombiner combiner = new EnqueueCombiner(send, 100, Long.MAX_VALUE, 1);
    CompletableFuture<List<EnqueueResult>> a = combiner.enqueue(List.of(job("1")));
    CompletableFuture<List<EnqueueResult>> b = combiner.enqueue(List.of(job("2")));
    CompletableFuture<List<EnqueueResult>> c = combiner.enqueue(List.of(job("3"), job("4")));
    assertThat(combiner.waiting()).isEqualTo(2);
    assertThat(send.calls).hasSize(1);

    send.answer(0); // the reply's thread answers a and sends b and c as one call

    assertThat(ids(a)).containsExactly("1");
    assertThat(send.calls).containsExactly(List.of("1"), List.of("2", "3", "4"));
    assertThat(combiner.waiting()).isZero();
    assertThat(b).isNotDone();
    send.answer(1);
    assertThat(ids(b)).containsExactly("2");
    assertThat(ids(c)).containsExactly("3", "4");
  }

  @Test
  void dependentStagesThatEnqueueAgainJoinTheNextCall() throws Exception {
    ManualSend send = new ManualSend();
    EnqueueCombiner combiner = new EnqueueCombiner(send, 100, Long.MAX_VALUE, 1);
    List<CompletableFuture<List<EnqueueResult>>> next = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String args = "again-" + i;
      combiner.enqueue(List.of(job("first-" + i))).thenAccept(r -> next.add(combiner.enqueue(List.of(job(args)))));
    }
    assertThat(send.calls).containsExactly(List.of("first-0"));

    send.answer(0); // first-0's loop enqueues again while the call's place is still held
    assertThat(send.calls).containsExactly(List.of("first-0"), List.of("first-1", "first-2", "again-0"));
    send.answer(1);

    assertThat(send.calls).containsExactly(List.of("first-0"), List.of("first-1", "first-2", "again-0"),
        List.of("again-1", "again-2"));
    assertThat(next).hasSize(3);
  }

  @Test
  void withTwoCallsInFlightTheSecondBatchGoesAtOnceAndLaterOnesWait() {
    ManualSend send = new ManualSend();
    EnqueueCombiner combiner = new EnqueueCombiner(send, 100, Long.MAX_VALUE, 2);
    combiner.enqueue(List.of(job("1")));
    combiner.enqueue(List.of(job("2")));
    combiner.enqueue(List.of(job("3")));
    combiner.enqueue(List.of(job("4")));

    assertThat(send.calls).containsExactly(List.of("1"), List.of("2"));
    send.answer(1);
    assertThat(send.calls).containsExactly(List.of("1"), List.of("2"), List.of("3", "4"));
  }

  @Test
  void aCallCarriesAtMostMaxJobsButALargerSingleBatchStillGoesAlone() {
    ManualSend send = new ManualSend();
    EnqueueCombiner combiner = new EnqueueCombiner(send, 3, Long.MAX_VALUE, 1);
    combiner.enqueue(List.of(job("1")));
    combiner.enqueue(List.of(job("2"), job("3")));
    combiner.enqueue(List.of(job("4"), job("5")));
    combiner.enqueue(List.of(job("6"), job("7"), job("8"), job("9")));

    send.answer(0);
    send.answer(1);
    send.answer(2);

    assertThat(send.calls).containsExactly(List.of("1"), List.of("2", "3"), List.of("4", "5"),
        List.of("6", "7", "8", "9"));
  }

  @Test
  void aFailedCallFailsEachOfItsBatchesAndTheNextGroupStillGoesOut() throws Exception {
    ManualSend send = new ManualSend();
    EnqueueCombiner combiner = new EnqueueCombiner(send, 100, Long.MAX_VALUE, 1);
    combiner.enqueue(List.of(job("1")));
    CompletableFuture<List<EnqueueResult>> b = combiner.enqueue(List.of(job("2")));
    CompletableFuture<List<EnqueueResult>> c = combiner.enqueue(List.of(job("3")));
    send.answer(0);
    CompletableFuture<List<EnqueueResult>> d = combiner.enqueue(List.of(job("4")));

    StoreException down = new StoreException(StoreException.Reason.IO, "Redis is down");
    send.replies.get(1).completeExceptionally(down);

    assertThatThrownBy(b::get).isInstanceOf(ExecutionException.class).hasCause(down);
    assertThatThrownBy(c::get).isInstanceOf(ExecutionException.class).hasCause(down);
    assertThat(send.calls).containsExactly(List.of("1"), List.of("2", "3"), List.of("4"));
    send.answer(2);
    assertThat(ids(d)).containsExactly("2");
  }

  @Test
  void callsThatFailBeforeTheyLeaveAreAnsweredInALoopNotByRecursion() {
    int[] sent = {0};
    boolean[] fail = {false};
    CompletableFuture<List<EnqueueResult>> held = new CompletableFuture<>();
    EnqueueCombiner combiner = new EnqueueCombiner(jobs -> {
      sent[0]++;
      if (fail[0]) {
        throw new StoreException(StoreException.Reason.IO, "store closed");
      }
      return held;
    }, 1, Long.MAX_VALUE, 1);
    combiner.enqueue(List.of(job("first")));
    List<CompletableFuture<List<EnqueueResult>>> queued = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) { // one call each (maxJobs 1): deep recursion would overflow the stack
      queued.add(combiner.enqueue(List.of(job(Integer.toString(i)))));
    }
    fail[0] = true;

    held.complete(List.of(new EnqueueResult("1", true, JobState.QUEUED)));

    assertThat(sent[0]).isEqualTo(20_001);
    assertThat(queued).allSatisfy(f -> assertThat(f).isCompletedExceptionally());
    assertThat(combiner.waiting()).isZero();
    // the place is free again: the next batch goes out at once
    fail[0] = false;
    combiner.enqueue(List.of(job("after")));
    assertThat(sent[0]).isEqualTo(20_002);
  }

  @Test
  void anAnswerOfTheWrongSizeFailsEveryBatchOfTheCall() {
    CompletableFuture<List<EnqueueResult>> reply = new CompletableFuture<>();
    EnqueueCombiner combiner = new EnqueueCombiner(jobs -> reply, 100, Long.MAX_VALUE, 1);
    CompletableFuture<List<EnqueueResult>> a = combiner.enqueue(List.of(job("1"), job("2")));

    reply.complete(List.of(new EnqueueResult("1", true, JobState.QUEUED)));

    assertThatThrownBy(a::get).hasCauseInstanceOf(IllegalStateException.class)
        .hasMessageContaining("answered 1 results for 2 jobs");
  }

  @Test
  void maxInFlightMustBePositive() {
    assertThatThrownBy(() -> new EnqueueCombiner(jobs -> new CompletableFuture<>(), 1, 1, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxInFlight");
  }

  @Test
  void aWaitingCallerGetsItsSliceOrAFailureOfItsOwn() throws Exception {
    ManualSend send = new ManualSend();
    EnqueueCombiner combiner = new EnqueueCombiner(send, 100, Long.MAX_VALUE, 1);
    combiner.enqueue(List.of(job("1")));
    try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
      Future<List<EnqueueResult>> b = pool.submit(() -> combiner.enqueueAndWait(List.of(job("2"), job("3"))));
      await().until(() -> combiner.waiting() == 1);
      send.answer(0);
      send.answer(1);
      assertThat(b.get()).extracting(EnqueueResult::jobId).containsExactly("2", "3");

      Future<List<EnqueueResult>> c = pool.submit(() -> combiner.enqueueAndWait(List.of(job("4"))));
      await().until(() -> send.replies.size() == 3);
      StoreException full = new StoreException(StoreException.Reason.DISK_FULL, "Redis is out of memory");
      send.replies.get(2).completeExceptionally(full);
      assertThatThrownBy(c::get).isInstanceOf(ExecutionException.class).cause().isInstanceOf(StoreException.class)
          .isNotSameAs(full).hasMessageContaining("out of memory").hasCause(full);
    }
  }

  @Test
  void aCallerInterruptedWhileItsBatchWaitsStillGetsItsResultAndKeepsTheInterrupt() throws Exception {
    ManualSend send = new ManualSend();
    EnqueueCombiner combiner = new EnqueueCombiner(send, 100, Long.MAX_VALUE, 1);
    combiner.enqueue(List.of(job("1")));
    try (ExecutorService pool = Executors.newSingleThreadExecutor()) {
      AtomicReference<Thread> waiter = new AtomicReference<>();
      Future<Boolean> b = pool.submit(() -> {
        waiter.set(Thread.currentThread());
        List<EnqueueResult> r = combiner.enqueueAndWait(List.of(job("2")));
        return r.size() == 1 && Thread.currentThread().isInterrupted();
      });
      await().until(() -> combiner.waiting() == 1);
      waiter.get().interrupt();
      send.answer(0);
      send.answer(1);
      assertThat(b.get()).as("result delivered, interrupt kept").isTrue();
    }
  }

  @Test
  void everyWaitingCallerReturnsUnderHeavyContention() throws Exception {
    // replies on one thread of their own, as the Redis client's I/O thread reads them
    AtomicInteger ids = new AtomicInteger();
    AtomicInteger calls = new AtomicInteger();
    try (ExecutorService io = Executors.newSingleThreadExecutor(); ExecutorService pool = Executors.newFixedThreadPool(16)) {
      EnqueueCombiner combiner = new EnqueueCombiner(jobs -> {
        calls.incrementAndGet();
        return CompletableFuture.supplyAsync(() -> jobs.stream()
            .map(j -> new EnqueueResult(Integer.toString(ids.incrementAndGet()), true, JobState.QUEUED)).toList(), io);
      }, 100, Long.MAX_VALUE, 1);
      int each = 5_000;
      List<Future<Integer>> done = new ArrayList<>();
      for (int t = 0; t < 16; t++) {
        done.add(pool.submit(() -> {
          int n = 0;
          for (int i = 0; i < each; i++) {
            n += combiner.enqueueAndWait(List.of(job("x"))).size();
          }
          return n;
        }));
      }
      for (Future<Integer> f : done) {
        assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(each);
      }
      assertThat(ids.get()).isEqualTo(16 * each);
      assertThat(calls.get()).as("calls shared by the threads").isLessThan(16 * each);
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
