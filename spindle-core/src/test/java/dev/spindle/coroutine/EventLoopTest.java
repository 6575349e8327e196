package dev.spindle.coroutine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import dev.spindle.ExecutionModel;
import dev.spindle.Futures;
import dev.spindle.Spindle;
import dev.spindle.Task;
import dev.spindle.TaskExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EventLoopTest {
  private static final Duration LONG = Duration.ofSeconds(30);

  @Test
  void runReturnsTheResultAndACreatedTaskStartsOnlyWhenTheCallerSuspends() {
    List<String> log = Collections.synchronizedList(new ArrayList<>());
    String r = EventLoop.run(() -> {
      AsyncTask<String> t = Async.createTask(() -> {
        log.add("child runs");
        return "child";
      });
      log.add("created " + t);
      assertThat(t.isStarted()).isFalse();
      String c = t.await();
      log.add("awaited " + c);
      return "main+" + c;
    });
    assertThat(r).isEqualTo("main+child");
    assertThat(log).containsExactly("created <Task pending name='Task-2'>", "child runs", "awaited child");
  }

  @Test
  void sleepZeroInterleavesCoroutinesInFifoOrder() {
    List<String> log = Collections.synchronizedList(new ArrayList<>());
    EventLoop.run(() -> {
      Coroutine<Void> a = () -> step(log, "a");
      Coroutine<Void> b = () -> step(log, "b");
      Async.gather(a, b);
      return null;
    });
    assertThat(log).containsExactly("a0", "b0", "a1", "b1", "a2", "b2");
  }

  private static Void step(List<String> log, String who) {
    for (int i = 0; i < 3; i++) {
      log.add(who + i);
      Async.yieldNow();
    }
    return null;
  }

  @Test
  void aBlockingCallBlocksEveryOtherCoroutineWhileAnAsyncSleepDoesNot() {
    AtomicLong ticks = new AtomicLong();
    long[] seen = EventLoop.run(() -> {
      AsyncTask<Void> ticker = Async.createTask(() -> {
        while (true) {
          ticks.incrementAndGet();
          Async.yieldNow();
        }
      });
      Async.yieldNow(); // the ticker starts
      long before = ticks.get();
      // blocking (time.sleep in a coroutine): a wait that holds the loop, released from outside only
      // once this coroutine's thread is seen waiting in it
      CountDownLatch released = new CountDownLatch(1);
      Thread coroutine = Thread.currentThread();
      Thread.ofPlatform().start(() -> {
        try {
          await().atMost(Duration.ofSeconds(10)).until(() -> coroutine.getState() == Thread.State.WAITING);
        } finally {
          released.countDown();
        }
      });
      released.await();
      long afterBlocking = ticks.get();
      // suspends: the ticker runs meanwhile. Short sleeps until it has ticked 10 more times, so a loop
      // thread the OS deschedules for a while cannot fail the test; an async sleep that blocked the loop
      // would never see a tick, and the deadline ends the wait
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (ticks.get() <= afterBlocking + 10 && System.nanoTime() < deadline) {
        Async.sleep(Duration.ofMillis(5));
      }
      long afterAsyncSleep = ticks.get();
      ticker.cancel();
      return new long[] {before, afterBlocking, afterAsyncSleep};
    });
    assertThat(seen[0]).isPositive();
    assertThat(seen[1]).as("ticks while the coroutine blocked the loop").isEqualTo(seen[0]);
    assertThat(seen[2]).as("ticks while it awaited sleeps").isGreaterThan(seen[1] + 10);
  }

  @Test
  void cancellationArrivesAtTheSuspensionPointAndTheCoroutineCleansUp() {
    List<String> log = Collections.synchronizedList(new ArrayList<>());
    EventLoop.run(() -> {
      AsyncTask<String> spinner = Async.createTask(() -> {
        try {
          Async.sleep(Duration.ofSeconds(30));
          return "slept";
        } catch (CancellationException e) {
          log.add("cleanup");
          throw e;
        }
      });
      Async.yieldNow();
      assertThat(spinner.cancel()).isTrue();
      assertThatThrownBy(spinner::await).isInstanceOf(CancellationException.class);
      assertThat(spinner.isCancelled()).isTrue();
      assertThat(spinner.cancel()).isFalse();
      assertThat(spinner.toString()).isEqualTo("<Task cancelled name='Task-2'>");
      return null;
    });
    assertThat(log).containsExactly("cleanup");
  }

  @Test
  void aCancelThatArrivesWhileTheCoroutineRunsIsDeliveredAtItsNextSuspension() throws Exception {
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch cancelled = new CountDownLatch(1);
    try (EventLoop loop = EventLoop.open()) {
      AsyncTask<String> t = loop.createTask(() -> {
        running.countDown();
        cancelled.await(); // blocking, not a suspension: the cancel arrives while it runs
        Async.sleep(LONG);
        return "slept";
      });
      assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(t.cancel()).isTrue();
      cancelled.countDown();
      assertThat(catchThrowable(() -> t.outcome().get(10, TimeUnit.SECONDS)))
          .as("cancelled at the sleep, not 30 s later").isInstanceOf(CancellationException.class);
      assertThat(t.isCancelled()).isTrue();
    }
  }

  @Test
  void aTaskCancelledBeforeItsFirstStepNeverRunsItsBody() {
    AtomicInteger ran = new AtomicInteger();
    EventLoop.run(() -> {
      AsyncTask<Void> t = Async.createTask(() -> {
        ran.incrementAndGet();
        return null;
      });
      t.cancel(); // no suspension since createTask, so the task has had no turn
      assertThatThrownBy(t::await).isInstanceOf(CancellationException.class);
      return null;
    });
    assertThat(ran).hasValue(0);
  }

  @Test
  void aCoroutineThatCatchesTheCancellationMayGoOn() {
    String r = EventLoop.run(() -> {
      AsyncTask<String> t = Async.createTask(() -> {
        try {
          Async.sleep(Duration.ofSeconds(30));
        } catch (CancellationException e) {
          Async.yieldNow(); // suspending again does not re-deliver it
          return "recovered";
        }
        return "slept";
      });
      Async.yieldNow();
      t.cancel();
      return t.await();
    });
    assertThat(r).isEqualTo("recovered");
  }

  @Test
  void gatherKeepsTheOrderAndThrowsTheFirstFailure() {
    List<Integer> out = EventLoop.run(() -> Async.gather(
        () -> after(30, 1), () -> after(1, 2), () -> after(10, 3)));
    assertThat(out).containsExactly(1, 2, 3);
    Throwable t = catchThrowable(() -> EventLoop.run(() -> Async.gather(
        () -> after(30, 1), () -> {
          Async.sleep(Duration.ofMillis(1));
          throw new IllegalStateException("second failed");
        })));
    assertThat(t).isInstanceOf(IllegalStateException.class).hasMessage("second failed");
  }

  private static Integer after(long millis, int value) {
    Async.sleep(Duration.ofMillis(millis));
    return value;
  }

  @Test
  void waitHonoursReturnWhenAndTheTimeout() {
    EventLoop.run(() -> {
      AsyncTask<Integer> fast = Async.createTask(() -> after(5, 1));
      AsyncTask<Integer> slow = Async.createTask(() -> after(10_000, 2));
      AsyncTask<Integer> failing = Async.createTask(() -> {
        Async.sleep(Duration.ofMillis(20));
        throw new IllegalArgumentException("x");
      });
      Futures.DoneAndNotDone<AsyncTask<Integer>> first = Async.wait(List.of(slow, fast), null, Futures.ReturnWhen.FIRST_COMPLETED);
      assertThat(first.done()).containsExactly(fast);
      assertThat(first.notDone()).containsExactly(slow);
      Futures.DoneAndNotDone<AsyncTask<Integer>> ex = Async.wait(List.of(slow, failing), null, Futures.ReturnWhen.FIRST_EXCEPTION);
      assertThat(ex.done()).containsExactly(failing);
      Futures.DoneAndNotDone<AsyncTask<Integer>> all = Async.wait(List.of(fast, slow), Duration.ofMillis(50), Futures.ReturnWhen.ALL_COMPLETED);
      assertThat(all.done()).containsExactly(fast);
      assertThat(all.notDone()).containsExactly(slow);
      assertThat(slow.isCancelled()).as("wait cancels nothing").isFalse();
      slow.cancel();
      return null;
    });
  }

  @Test
  void asCompletedYieldsInCompletionOrderAndTimesOut() {
    EventLoop.run(() -> {
      // the completion order is set by what each task waits for, not by sleeps of different lengths:
      // under load the loop may start the tasks tens of milliseconds apart
      AsyncTask<Integer> b = Async.createTask(() -> after(1, 2));
      AsyncTask<Integer> c = Async.createTask(() -> {
        b.await();
        return after(1, 3);
      });
      AsyncTask<Integer> a = Async.createTask(() -> {
        c.await();
        return after(1, 1);
      });
      List<Integer> order = new ArrayList<>();
      for (Iterator<AsyncTask<Integer>> it = Async.asCompleted(List.of(a, b, c), null); it.hasNext(); ) {
        order.add(it.next().result());
      }
      assertThat(order).containsExactly(2, 3, 1);
      AsyncTask<Integer> never = Async.createTask(() -> after(60_000, 4));
      Iterator<AsyncTask<Integer>> it = Async.asCompleted(List.of(a, never), Duration.ofMillis(30));
      assertThat(it.next()).isSameAs(a);
      assertThatThrownBy(it::next).isInstanceOf(AsyncTimeoutException.class).hasMessageContaining("1 of 2");
      never.cancel();
      return null;
    });
  }

  @Test
  void waitForCancelsTheTaskOnTimeoutAfterItCleanedUp() {
    List<String> log = Collections.synchronizedList(new ArrayList<>());
    EventLoop.run(() -> {
      Throwable t = catchThrowable(() -> Async.waitFor(() -> {
        try {
          Async.sleep(Duration.ofSeconds(30));
          return "late";
        } finally {
          log.add("cleaned up");
        }
      }, Duration.ofMillis(30)));
      assertThat(t).isInstanceOf(AsyncTimeoutException.class);
      assertThat(log).containsExactly("cleaned up");
      assertThat(Async.waitFor(() -> after(1, 7), LONG)).isEqualTo(7);
      return null;
    });
  }

  @Test
  void aTaskGroupCancelsTheOthersWhenOneFailsAndReportsEveryFailure() {
    List<String> log = Collections.synchronizedList(new ArrayList<>());
    Throwable t = catchThrowable(() -> EventLoop.run(() -> Async.withTaskGroup(g -> {
      g.createTask(() -> {
        try {
          Async.sleep(Duration.ofSeconds(30));
        } catch (CancellationException e) {
          log.add("sibling cancelled");
          throw e;
        }
        return null;
      });
      g.createTask(() -> {
        Async.sleep(Duration.ofMillis(5));
        throw new IllegalStateException("child failed");
      });
      try {
        Async.sleep(Duration.ofSeconds(30));
      } catch (CancellationException e) {
        log.add("body cancelled");
        throw e;
      }
      return null;
    })));
    assertThat(t).isInstanceOf(TaskGroupException.class);
    assertThat(((TaskGroupException) t).exceptions()).singleElement()
        .isInstanceOf(IllegalStateException.class).hasFieldOrPropertyWithValue("message", "child failed");
    assertThat(log).containsExactlyInAnyOrder("sibling cancelled", "body cancelled");

    List<Integer> ok = EventLoop.run(() -> Async.withTaskGroup(g -> {
      AsyncTask<Integer> x = g.createTask(() -> after(10, 1));
      AsyncTask<Integer> y = g.createTask(() -> after(1, 2));
      return List.of(x, y);
    }).stream().map(AsyncTask::result).toList());
    assertThat(ok).containsExactly(1, 2);
  }

  @Test
  void runInExecutorOffloadsBlockingWorkAndTheLoopKeepsRunning() throws Exception {
    // the blocking call returns once the loop's ticker has ticked 10 times (or after 10 s): it can
    // only return early if the loop kept running while it blocked
    CountDownLatch tenTicks = new CountDownLatch(10);
    Task<Long, Long> blocking = Task.of("test.blocking-wait", Long.class, Long.class,
        seconds -> tenTicks.await(seconds, TimeUnit.SECONDS) ? 200L : -1L);
    AtomicLong ticks = new AtomicLong();
    try (TaskExecutor threads = Spindle.executor(ExecutionModel.THREADS).workers(2).start()) {
      long r = EventLoop.run(() -> {
        AsyncTask<Void> ticker = Async.createTask(() -> {
          while (true) {
            ticks.incrementAndGet();
            tenTicks.countDown();
            Async.sleep(Duration.ofMillis(1));
          }
        });
        long v = Async.runInExecutor(threads, blocking, 10L);
        long w = Async.toThread(() -> 5L);
        ticker.cancel();
        return v + w;
      });
      assertThat(r).as("the blocking call saw the ticker run while it blocked").isEqualTo(205L);
    }
    assertThat(ticks.get()).as("the ticker ran while the blocking call was offloaded").isGreaterThanOrEqualTo(10);
  }

  @Test
  void awaitSuspendsOnAForeignFutureWhileOtherCoroutinesRun() throws Exception {
    java.util.concurrent.CompletableFuture<String> http = new java.util.concurrent.CompletableFuture<>();
    java.util.concurrent.CountDownLatch tickerRan = new java.util.concurrent.CountDownLatch(3);
    Thread completer = Thread.ofPlatform().start(() -> {
      try {
        tickerRan.await();
      } catch (InterruptedException e) {
        return;
      }
      http.complete("body");
    });
    String r = EventLoop.run(() -> {
      AsyncTask<Void> ticker = Async.createTask(() -> {
        while (true) {
          tickerRan.countDown();
          Async.sleep(Duration.ofMillis(1));
        }
      });
      String v = Async.await(http);
      ticker.cancel();
      return v;
    });
    completer.join();
    assertThat(r).isEqualTo("body");
    assertThat(tickerRan.getCount()).as("the loop ran the ticker while the future was pending").isZero();

    java.util.concurrent.CompletableFuture<String> failing =
        java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException("boom"));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> EventLoop.run(() -> Async.await(failing)))
        .hasMessageContaining("boom");

    java.util.concurrent.CompletableFuture<String> never = new java.util.concurrent.CompletableFuture<>();
    boolean cancelled = EventLoop.run(() -> {
      AsyncTask<String> waiter = Async.createTask(() -> Async.await(never));
      Async.yieldNow(); // the waiter starts and suspends in await
      waiter.cancel();
      try {
        waiter.await();
        return false;
      } catch (java.util.concurrent.CancellationException e) {
        return true;
      }
    });
    assertThat(cancelled).isTrue();
    assertThat(never).as("cancelling the awaiting coroutine cancels the future").isCancelled();
  }

  @Test
  void lockEventSemaphoreAndQueueSuspendInsteadOfBlocking() {
    List<String> log = Collections.synchronizedList(new ArrayList<>());
    EventLoop.run(() -> {
      AsyncLock lock = new AsyncLock();
      AsyncEvent go = new AsyncEvent();
      AsyncSemaphore sem = AsyncSemaphore.bounded(1);
      AsyncQueue<Integer> q = new AsyncQueue<>(1);
      AsyncTask<Void> producer = Async.createTask(() -> {
        go.await();
        for (int i = 0; i < 3; i++) {
          q.put(i); // suspends while the one slot is taken
          log.add("put " + i);
        }
        return null;
      });
      lock.acquire();
      AsyncTask<Void> contender = Async.createTask(() -> lock.withLock(() -> {
        log.add("contender has the lock");
        return null;
      }));
      Async.yieldNow();
      assertThat(lock.isLocked()).isTrue();
      log.add("main releases");
      lock.release();
      contender.await();
      sem.acquire();
      assertThatThrownBy(() -> {
        sem.release();
        sem.release();
      }).isInstanceOf(IllegalStateException.class).hasMessageContaining("BoundedSemaphore");
      go.set();
      for (int i = 0; i < 3; i++) {
        log.add("got " + q.get());
        q.taskDone();
      }
      q.join();
      producer.await();
      return null;
    });
    assertThat(log).startsWith("main releases", "contender has the lock");
    assertThat(log).containsSubsequence("put 0", "got 0", "got 1", "got 2");
  }

  @Test
  void theExecutorViewRunsCooperativeTasksInterleaved() throws Exception {
    // Each napper naps until all 20 have started: that ends only if the loop runs them
    // interleaved (one at a time, each would nap forever and the result wait would fail).
    AtomicInteger started = new AtomicInteger();
    Task<Long, Long> napper = Task.of("test.napper", Long.class, Long.class, ms -> {
      started.incrementAndGet();
      while (started.get() < 20) {
        Async.sleep(Duration.ofMillis(ms));
      }
      return ms;
    });
    try (TaskExecutor loop = Spindle.executor(ExecutionModel.COROUTINE).start()) {
      List<dev.spindle.TaskFuture<Long>> fs = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        fs.add(loop.submit(napper, 20L));
      }
      for (dev.spindle.TaskFuture<Long> f : fs) {
        assertThat(f.result(LONG)).isEqualTo(20L);
      }
      assertThat(started).hasValue(20);
    }
  }

  @Test
  void misuseFailsClearly() throws InterruptedException {
    assertThatThrownBy(() -> Async.sleep(Duration.ofMillis(1))).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not inside a coroutine");
    assertThatThrownBy(() -> new AsyncLock().acquire()).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> new LoopConfig("", 1, LONG)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Spindle.executor(ExecutionModel.COROUTINE).workers(2))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one event loop");
    CountDownLatch closed = new CountDownLatch(1);
    EventLoop.run(() -> {
      AsyncTask<?> me = Async.currentTask();
      assertThatThrownBy(me::join).isInstanceOf(IllegalStateException.class).hasMessageContaining("await()");
      assertThatThrownBy(() -> EventLoop.current().close()).isInstanceOf(IllegalStateException.class);
      closed.countDown();
      return null;
    });
    assertThat(closed.await(1, TimeUnit.SECONDS)).isTrue();
    EventLoop l = EventLoop.open();
    AsyncTask<Void> pending = l.createTask(() -> {
      Async.sleep(Duration.ofSeconds(30));
      return null;
    });
    l.close();
    assertThat(pending.isCancelled()).as("close cancels what is pending").isTrue();
    assertThatThrownBy(() -> l.createTask(() -> 1)).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
  }
}
