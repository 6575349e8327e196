package dev.spindle.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobState;
import dev.spindle.queue.StoreException;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.NewJob;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Group commit of enqueues that do not wait: a batch that finds a call free goes out at once from
 * its caller's thread; the batches enqueued while calls are out go out together when one returns,
 * each completed with its own slice of the answer; a failed call fails each of its batches and the
 * next group still goes out; nothing is sent by recursion when calls fail before they leave.
 */
class AsyncEnqueueCombinerTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static NewJob job(String args) {
    return new NewJob("comb.task", args, "default", 0, T0, null, JobPolicy.defaults(), T0);
  }

  /** A script call stand-in: records each call and its thread, and leaves the answer to the test. */
  private static final class ManualSend implements Function<List<NewJob>, CompletableFuture<List<EnqueueResult>>> {
    final List<List<String>> calls = new ArrayList<>();
    final List<Thread> threads = new ArrayList<>();
    final List<CompletableFuture<List<EnqueueResult>>> replies = new ArrayList<>();
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
    AsyncEnqueueCombiner combiner = new AsyncEnqueueCombiner(send, 100, Long.MAX_VALUE, 1);

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
    AsyncEnqueueCombiner combiner = new AsyncEnqueueCombiner(send, 100, Long.MAX_VALUE, 1);
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
    AsyncEnqueueCombiner combiner = new AsyncEnqueueCombiner(send, 100, Long.MAX_VALUE, 1);
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
    AsyncEnqueueCombiner combiner = new AsyncEnqueueCombiner(send, 100, Long.MAX_VALUE, 2);
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
    AsyncEnqueueCombiner combiner = new AsyncEnqueueCombiner(send, 3, Long.MAX_VALUE, 1);
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
    AsyncEnqueueCombiner combiner = new AsyncEnqueueCombiner(send, 100, Long.MAX_VALUE, 1);
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
    AsyncEnqueueCombiner combiner = new AsyncEnqueueCombiner(jobs -> {
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
    AsyncEnqueueCombiner combiner = new AsyncEnqueueCombiner(jobs -> reply, 100, Long.MAX_VALUE, 1);
    CompletableFuture<List<EnqueueResult>> a = combiner.enqueue(List.of(job("1"), job("2")));

    reply.complete(List.of(new EnqueueResult("1", true, JobState.QUEUED)));

    assertThatThrownBy(a::get).hasCauseInstanceOf(IllegalStateException.class)
        .hasMessageContaining("answered 1 results for 2 jobs");
  }

  @Test
  void maxInFlightMustBePositive() {
    assertThatThrownBy(() -> new AsyncEnqueueCombiner(jobs -> new CompletableFuture<>(), 1, 1, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxInFlight");
  }
}
