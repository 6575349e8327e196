package dev.spindle.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.queue.JobError;
import dev.spindle.queue.JobObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AttemptEndsTest {
  /** An attempt recording on which thread its end was delivered; the first one blocks until released. */
  private static final class Recorder implements JobObserver.Attempt {
    final List<String> threads;
    final CountDownLatch gate;

    Recorder(List<String> threads, CountDownLatch gate) {
      this.threads = threads;
      this.gate = gate;
    }

    @Override
    public void finished(JobObserver.Outcome outcome, Duration runTime, JobError error) {
      try {
        gate.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      threads.add(Thread.currentThread().getName());
    }
  }

  @Test
  void endsAreDeliveredOffTheDispatcherInOrderAndAllBeforeCloseReturns() throws Exception {
    AttemptEnds ends = new AttemptEnds("t1");
    List<String> threads = new CopyOnWriteArrayList<>();
    CountDownLatch open = new CountDownLatch(0);
    for (int b = 0; b < 100; b++) {
      for (int i = 0; i < 10; i++) {
        ends.add(new Recorder(threads, open), JobObserver.Outcome.SUCCEEDED, Duration.ZERO, null);
      }
      ends.flushAll();
    }
    ends.close(Duration.ofSeconds(30));
    assertThat(threads).hasSize(1000).allMatch(t -> t.equals("spindle-worker-t1-observer"));
  }

  @Test
  void aStalledObserverMakesTheDispatcherDeliverOnlyPastTheBound() throws Exception {
    AttemptEnds ends = new AttemptEnds("t2");
    List<String> threads = new CopyOnWriteArrayList<>();
    CountDownLatch gate = new CountDownLatch(1);
    // the delivering thread blocks on the first end; up to MAX_WAITING ends wait for it
    for (int i = 0; i < AttemptEnds.MAX_WAITING; i++) {
      ends.add(new Recorder(threads, gate), JobObserver.Outcome.SUCCEEDED, Duration.ZERO, null);
      if (i % 16 == 15) {
        ends.flushAll();
      }
    }
    ends.flushAll();
    assertThat(threads).isEmpty(); // nothing ran on the dispatcher: all of it waits
    // one more batch is past the bound: the dispatcher (this thread) delivers it itself
    List<String> mine = new CopyOnWriteArrayList<>();
    ends.add(new Recorder(mine, new CountDownLatch(0)), JobObserver.Outcome.SUCCEEDED, Duration.ZERO, null);
    ends.flushAll();
    assertThat(mine).containsExactly(Thread.currentThread().getName());
    gate.countDown();
    ends.close(Duration.ofSeconds(30));
    assertThat(threads).hasSize(AttemptEnds.MAX_WAITING).allMatch(t -> t.equals("spindle-worker-t2-observer"));
  }

  /**
   * A busy dispatcher hands ends over in batches of HAND_OVER_ENDS or once the oldest waited
   * HAND_OVER_NANOS (each hand-over wakes the observer's thread); close hands over what is left.
   */
  @Test
  void endsAreHandedOverInBatchesOrOnceTheOldestWaited() throws Exception {
    long[] now = {1_000};
    AttemptEnds ends = new AttemptEnds("t3", () -> now[0]);
    List<String> threads = new CopyOnWriteArrayList<>();
    CountDownLatch open = new CountDownLatch(0);
    for (int i = 0; i < AttemptEnds.HAND_OVER_ENDS - 1; i++) {
      ends.add(new Recorder(threads, open), JobObserver.Outcome.SUCCEEDED, Duration.ZERO, null);
      ends.flush();
    }
    assertThat(ends.held()).as("below the batch size, none waited long").isEqualTo(AttemptEnds.HAND_OVER_ENDS - 1);
    ends.add(new Recorder(threads, open), JobObserver.Outcome.SUCCEEDED, Duration.ZERO, null);
    ends.flush();
    assertThat(ends.held()).as("a full batch is handed over").isZero();
    ends.add(new Recorder(threads, open), JobObserver.Outcome.SUCCEEDED, Duration.ZERO, null);
    now[0] += AttemptEnds.HAND_OVER_NANOS - 1;
    ends.add(new Recorder(threads, open), JobObserver.Outcome.SUCCEEDED, Duration.ZERO, null);
    ends.flush();
    assertThat(ends.held()).isEqualTo(2);
    now[0] += 1;
    ends.flush();
    assertThat(ends.held()).as("the oldest waited long enough").isZero();
    ends.add(new Recorder(threads, open), JobObserver.Outcome.SUCCEEDED, Duration.ZERO, null);
    ends.close(Duration.ofSeconds(30));
    assertThat(threads).hasSize(AttemptEnds.HAND_OVER_ENDS + 3)
        .allMatch(t -> t.equals("spindle-worker-t3-observer"));
  }

  /**
   * While ends keep coming the delivering thread finds them on its own timer; once it has gone
   * without for a while it sleeps until woken, and a hand-over then wakes it.
   */
  @Test
  void aDeliveringThreadThatFellAsleepIsWokenByTheNextHandOver() throws Exception {
    AttemptEnds ends = new AttemptEnds("t4");
    List<String> threads = new CopyOnWriteArrayList<>();
    CountDownLatch open = new CountDownLatch(0);
    ends.add(new Recorder(threads, open), JobObserver.Outcome.SUCCEEDED, Duration.ZERO, null);
    ends.flushAll();
    await().atMost(Duration.ofSeconds(30)).until(() -> threads.size() == 1);
    Thread observer = Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("spindle-worker-t4-observer")).findFirst().orElseThrow();
    // asleep until woken: parked without a timeout
    await().atMost(Duration.ofSeconds(30)).until(() -> observer.getState() == Thread.State.WAITING);
    ends.add(new Recorder(threads, open), JobObserver.Outcome.SUCCEEDED, Duration.ZERO, null);
    ends.flushAll();
    await().atMost(Duration.ofSeconds(30)).until(() -> threads.size() == 2);
    ends.close(Duration.ofSeconds(30));
    assertThat(threads).containsOnly("spindle-worker-t4-observer");
    assertThat(observer.isAlive()).as("the delivering thread ends with close").isFalse();
  }
}
