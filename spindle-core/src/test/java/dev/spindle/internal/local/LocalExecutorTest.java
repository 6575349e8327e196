package dev.spindle.internal.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.ExecutionModel;
import dev.spindle.Spindle;
import dev.spindle.Task;
import dev.spindle.TaskExecutor;
import dev.spindle.TaskFailedException;
import dev.spindle.TaskFuture;
import dev.spindle.TaskRegistry;
import dev.spindle.UnknownTaskException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What is specific to the in-JVM models (the shared contract runs in spindle-testkit). */
class LocalExecutorTest {
  private static final Duration LONG = Duration.ofSeconds(30);
  private static final int ROUNDS = 20_000;
  private static final Task<String, String> THREAD_NAME =
      Task.of("thread-name", String.class, String.class, x -> Thread.currentThread().getName());
  private static final Task<String, Boolean> IS_VIRTUAL =
      Task.of("is-virtual", String.class, Boolean.class, x -> Thread.currentThread().isVirtual());
  private static final Task<CountDownLatch, String> AWAIT = Task.of("await", CountDownLatch.class, String.class, l -> {
    l.await();
    return "released";
  });

  @Test
  void workersAreNamedAfterTheExecutor() {
    try (TaskExecutor pool = Spindle.executor(ExecutionModel.THREADS).workers(1).name("primes").start()) {
      assertThat(pool.submit(THREAD_NAME, "").result(LONG)).isEqualTo("primes worker(0)");
      assertThat(pool.submit(IS_VIRTUAL, "").result(LONG)).isFalse();
    }
    try (TaskExecutor pool = Spindle.executor(ExecutionModel.VIRTUAL).workers(2).start()) {
      assertThat(pool.submit(THREAD_NAME, "").result(LONG)).startsWith("virtual worker(");
      assertThat(pool.submit(IS_VIRTUAL, "").result(LONG)).isTrue();
    }
    try (TaskExecutor pool = Spindle.executor(ExecutionModel.VIRTUAL).start()) {
      assertThat(pool.config().workers()).isZero();
      assertThat(pool.submit(THREAD_NAME, "").result(LONG)).startsWith("virtual vthread-");
      assertThat(pool.submit(IS_VIRTUAL, "").result(LONG)).isTrue();
    }
  }

  @Test
  void threadsDefaultsToOneWorkerPerCore() {
    try (TaskExecutor pool = Spindle.executor(ExecutionModel.THREADS).start()) {
      assertThat(pool.config().workers()).isEqualTo(Runtime.getRuntime().availableProcessors());
    }
  }

  @Test
  void sequentialRunsInSubmissionOrderOnOneThread() {
    List<Integer> order = Collections.synchronizedList(new ArrayList<>());
    Task<Integer, String> record = Task.of("record", Integer.class, String.class, i -> {
      order.add(i);
      return Thread.currentThread().getName();
    });
    List<TaskFuture<String>> fs = new ArrayList<>();
    try (TaskExecutor pool = Spindle.executor(ExecutionModel.SEQUENTIAL).start()) {
      for (int i = 0; i < 100; i++) {
        fs.add(pool.submit(record, i));
      }
    }
    assertThat(order).isEqualTo(java.util.stream.IntStream.range(0, 100).boxed().toList());
    assertThat(fs.stream().map(TaskFuture::result).distinct()).containsExactly("sequential worker(0)");
  }

  @Test
  void aWorkerLimitIsRespected() throws InterruptedException {
    CountDownLatch release = new CountDownLatch(1);
    try (TaskExecutor pool = Spindle.executor(ExecutionModel.VIRTUAL).workers(2).start()) {
      List<TaskFuture<String>> fs = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        fs.add(pool.submit(AWAIT, release));
      }
      org.awaitility.Awaitility.await().atMost(LONG).until(() -> pool.stats().active() == 2);
      assertThat(pool.stats().queued()).isEqualTo(3);
      release.countDown();
      for (TaskFuture<String> f : fs) {
        assertThat(f.result(LONG)).isEqualTo("released");
      }
    }
  }

  @Test
  void anEmptyRegistryAcceptsAnyTaskAndAFilledOneOnlyItsInstances() {
    try (TaskExecutor pool = Spindle.executor(ExecutionModel.THREADS).workers(1).start()) {
      assertThat(pool.submit(THREAD_NAME, "").result(LONG)).isNotNull();
    }
    TaskRegistry registry = TaskRegistry.builder().add(IS_VIRTUAL).build();
    Task<String, String> impostor = Task.of("is-virtual", String.class, String.class, x -> x);
    try (TaskExecutor pool = Spindle.executor(ExecutionModel.THREADS).workers(1).registry(registry).start()) {
      assertThat(pool.submit(IS_VIRTUAL, "").result(LONG)).isFalse();
      assertThatThrownBy(() -> pool.submit(impostor, "")).isInstanceOf(UnknownTaskException.class)
          .hasMessageContaining("different Task instance");
      assertThatThrownBy(() -> pool.submit(THREAD_NAME, "")).isInstanceOf(UnknownTaskException.class)
          .hasMessageContaining("unknown task 'thread-name'").hasMessageContaining("is-virtual");
      // closures of the ExecutorService view are the caller's code, not registry tasks
      assertThat(pool.asExecutorService().submit(() -> 1).get(30, TimeUnit.SECONDS)).isEqualTo(1);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aTaskThrowingCancellationIsAFailureNotACancellation() {
    Task<String, String> cancels = Task.of("cancels", String.class, String.class, x -> {
      throw new CancellationException("thrown by the task");
    });
    try (TaskExecutor pool = Spindle.executor(ExecutionModel.THREADS).workers(1).start()) {
      TaskFuture<String> f = pool.submit(cancels, "");
      assertThatThrownBy(f::result).isInstanceOf(TaskFailedException.class).hasCauseInstanceOf(CancellationException.class);
      assertThat(f.isCancelled()).isFalse();
      assertThat(pool.stats().failed()).isEqualTo(1);
      assertThat(pool.stats().cancelled()).isZero();
    }
  }

  @Test
  void anInterruptAimedAtACancelledTaskDoesNotLeakIntoTheNext() throws InterruptedException {
    Task<String, Boolean> interrupted = Task.of("interrupted", String.class, Boolean.class,
        x -> Thread.currentThread().isInterrupted());
    CountDownLatch never = new CountDownLatch(1);
    try (TaskExecutor pool = Spindle.executor(ExecutionModel.SEQUENTIAL).start()) {
      for (int i = 0; i < 20; i++) {
        TaskFuture<String> blocked = pool.submit(AWAIT, never);
        TaskFuture<Boolean> next = pool.submit(interrupted, "");
        org.awaitility.Awaitility.await().atMost(LONG).until(blocked::isStarted);
        blocked.cancel(true);
        assertThat(next.result(LONG)).isFalse();
      }
      assertThat(pool.stats().cancelled()).isEqualTo(20);
      assertThat(pool.stats().executed()).isEqualTo(20);
    }
  }

  /**
   * A cancelled execution whose task returns at once races its worker's replacement: either the
   * worker keeps its slot or a fresh one takes it, never both, so shutdown still reaches every
   * thread.
   */
  @Test
  void cancellingAnExecutionThatEndsAtOnceLeavesNoWorkerOutsideThePool() throws InterruptedException {
    record Started(CountDownLatch started) {}
    Task<Started, String> announceThenWait = Task.of("announce-then-wait", Started.class, String.class, s -> {
      s.started().countDown();
      new CountDownLatch(1).await(); // until interrupted
      return "released";
    });
    for (ExecutionModel model : List.of(ExecutionModel.THREADS, ExecutionModel.VIRTUAL)) {
      TaskExecutor pool = Spindle.executor(model).workers(2).start();
      for (int i = 0; i < ROUNDS; i++) {
        CountDownLatch started = new CountDownLatch(1);
        TaskFuture<String> running = pool.submit(announceThenWait, new Started(started));
        assertThat(started.await(LONG.toSeconds(), TimeUnit.SECONDS)).isTrue();
        running.cancel(true);
      }
      pool.shutdown();
      assertThat(pool.awaitTermination(LONG)).as("%s terminated", model).isTrue();
      assertThat(pool.stats().stuck()).as("%s threads stuck", model).isZero();
      assertThat(pool.stats().cancelled()).isEqualTo(ROUNDS);
    }
  }

  @Test
  void theExecutorServiceViewHandsBackNeverStartedRunnables() throws InterruptedException {
    CountDownLatch release = new CountDownLatch(1);
    TaskExecutor pool = Spindle.executor(ExecutionModel.THREADS).workers(1).start();
    ExecutorService es = pool.asExecutorService();
    assertThat(pool.asExecutorService()).isSameAs(es);
    es.execute(() -> {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    org.awaitility.Awaitility.await().atMost(LONG).until(() -> pool.stats().active() == 1);
    Runnable queued = () -> { };
    es.execute(queued);
    List<Runnable> never = es.shutdownNow();
    assertThat(never).containsExactly(queued);
    assertThat(es.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    assertThat(pool.isTerminated()).isTrue();
  }

  @Test
  void aBurstOfBlockingExecutionsReachesEveryWorkerOneWakeUpAfterAnother() throws InterruptedException {
    // a submission wakes a worker only when none is spinning; the woken ones wake the next while
    // more are queued, so all of them still start (each round begins with every worker parked)
    for (ExecutionModel model : List.of(ExecutionModel.THREADS, ExecutionModel.VIRTUAL)) {
      int workers = 16;
      try (TaskExecutor pool = Spindle.executor(model).workers(workers).start()) {
        for (int round = 0; round < 20; round++) {
          CountDownLatch release = new CountDownLatch(1);
          List<TaskFuture<String>> fs = new ArrayList<>();
          try {
            for (int i = 0; i < workers + 3; i++) {
              fs.add(pool.submit(AWAIT, release));
            }
            org.awaitility.Awaitility.await().atMost(LONG).until(() -> pool.stats().active() == workers);
            assertThat(pool.stats().queued()).isEqualTo(3);
          } finally {
            release.countDown(); // else closing the pool would wait for them forever
          }
          for (TaskFuture<String> f : fs) {
            assertThat(f.result(LONG)).isEqualTo("released");
          }
        }
      }
    }
  }

  @Test
  void noSubmissionIsLeftQueuedWhileWorkersIdle() throws Exception {
    // bursts from several threads, each waited for, so that workers stop spinning and park between
    // them: a lost wake-up leaves a future unfinished and fails its bounded wait
    Task<Long, Long> inc = Task.of("inc", Long.class, Long.class, x -> x + 1);
    for (ExecutionModel model : List.of(ExecutionModel.THREADS, ExecutionModel.VIRTUAL)) {
      try (TaskExecutor pool = Spindle.executor(model).workers(8).start()) {
        List<Thread> submitters = new ArrayList<>();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        for (int s = 0; s < 3; s++) {
          int seed = s;
          submitters.add(Thread.ofPlatform().start(() -> {
            try {
              for (int round = 0; round < 2_000; round++) {
                List<TaskFuture<Long>> fs = new ArrayList<>();
                for (int i = 0; i <= (round + seed) % 5; i++) {
                  fs.add(pool.submit(inc, (long) i));
                }
                for (int i = 0; i < fs.size(); i++) {
                  assertThat(fs.get(i).result(LONG)).isEqualTo(i + 1L);
                }
              }
            } catch (Throwable t) {
              failures.add(t);
            }
          }));
        }
        for (Thread t : submitters) {
          t.join();
        }
        assertThat(failures).isEmpty();
        long expected = 3L * (2_000 / 5) * (1 + 2 + 3 + 4 + 5);
        org.awaitility.Awaitility.await().atMost(LONG).until(() -> pool.stats().executed() == expected);
      }
    }
  }

  @Test
  void submissionsRacingWithShutdownAreRunOrRejectedNeverLost() throws Exception {
    Task<Long, Long> inc = Task.of("inc", Long.class, Long.class, x -> x + 1);
    for (ExecutionModel model : List.of(ExecutionModel.THREADS, ExecutionModel.VIRTUAL)) {
      for (int round = 0; round < 30; round++) {
        TaskExecutor pool = Spindle.executor(model).workers(2).start();
        List<TaskFuture<Long>> accepted = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch going = new CountDownLatch(2);
        List<Thread> submitters = new ArrayList<>();
        for (int s = 0; s < 2; s++) {
          submitters.add(Thread.ofPlatform().start(() -> {
            going.countDown();
            try {
              for (long i = 0; ; i++) {
                accepted.add(pool.submit(inc, i));
              }
            } catch (dev.spindle.RejectedSubmissionException e) {
              // shut down: stop
            }
          }));
        }
        going.await();
        pool.shutdown();
        for (Thread t : submitters) {
          t.join();
        }
        assertThat(pool.awaitTermination(LONG)).isTrue();
        synchronized (accepted) {
          for (TaskFuture<Long> f : accepted) {
            Throwable e = f.exception(LONG); // never hangs
            if (e != null) {
              assertThat(e).isInstanceOf(dev.spindle.RejectedSubmissionException.class);
            }
          }
        }
      }
    }
  }

  @Test
  void mapWithASmallBacklogNeedsNoRejections() {
    Task<Long, Long> sq = Task.of("sq", Long.class, Long.class, x -> x * x);
    try (TaskExecutor pool = Spindle.executor(ExecutionModel.THREADS).workers(2).maxQueued(1).start()) {
      List<Long> out = new ArrayList<>();
      try (var it = pool.map(sq, java.util.stream.LongStream.range(0, 200).boxed().toList())) {
        it.forEachRemaining(out::add);
      }
      assertThat(out).hasSize(200).startsWith(0L, 1L, 4L);
      assertThat(pool.stats().rejected()).isZero();
    }
  }

  @Test
  void processesNeedTheirModule() {
    assertThatThrownBy(() -> Spindle.executor(ExecutionModel.PROCESSES).start())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("spindle-process");
  }
}
