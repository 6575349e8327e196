package dev.spindle.examples.futurist;

import dev.spindle.ExecutionModel;
import dev.spindle.ExecutorStats;
import dev.spindle.Periodic;
import dev.spindle.PeriodicWorker;
import dev.spindle.RejectedSubmissionException;
import dev.spindle.RejectionCheck;
import dev.spindle.Spindle;
import dev.spindle.Task;
import dev.spindle.TaskExecutor;
import dev.spindle.TaskFuture;
import dev.spindle.WatcherStats;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** futurist's examples (Scaling Python ch. 2) on Spindle's executors. Stateless. */
public final class FuturistPrograms {
  /** {@code x * x} after 50 ms of sleep: futurist's {@code compute()} stand-in. */
  static final Task<Integer, Integer> SLOW_SQUARE = Task.of("futurist.slow-square", Integer.class, Integer.class, x -> {
    Thread.sleep(50);
    return x * x;
  });

  private FuturistPrograms() {}

  /**
   * {@code executor.statistics} before and after: a THREADS executor of 2 workers runs 10 slow
   * squares; the statistics count executions, failures, cancellations, rejections and runtime.
   */
  public static ExecutorStats statistics(PrintStream out) {
    try (TaskExecutor ex = Spindle.executor(ExecutionModel.THREADS).workers(2).name("futurist").start()) {
      out.println("before: " + ex.stats());
      List<TaskFuture<Integer>> fs = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        fs.add(ex.submit(SLOW_SQUARE, i));
      }
      out.println("running: " + ex.stats());
      List<Integer> results = fs.stream().map(TaskFuture::result).toList();
      out.println("results: " + results);
      ExecutorStats after = ex.stats();
      out.println("after: " + after);
      return after;
    }
  }

  /**
   * futurist's {@code check_and_reject=rejection.reject_when_reached(2)}: one worker, held busy; two
   * submissions wait; the third is refused with {@link RejectedSubmissionException}.
   *
   * @return the statistics at the end (one rejection)
   */
  public static ExecutorStats rejection(PrintStream out) throws InterruptedException {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(1);
    Task<Integer, Integer> held = Task.of("futurist.held", Integer.class, Integer.class, i -> {
      started.countDown();
      release.await();
      return i;
    });
    try (TaskExecutor ex = Spindle.executor(ExecutionModel.THREADS).workers(1).name("futurist")
        .with(RejectionCheck.rejectWhenReached(2)).start()) {
      List<TaskFuture<Integer>> fs = new ArrayList<>();
      fs.add(ex.submit(held, 0));
      started.await(30, TimeUnit.SECONDS);
      for (int i = 1; i <= 3; i++) {
        try {
          fs.add(ex.submit(held, i));
          out.println("submitted " + i + " (backlog now " + ex.stats().queued() + ")");
        } catch (RejectedSubmissionException e) {
          out.println("submission " + i + " rejected: " + e.getMessage());
        }
      }
      release.countDown();
      out.println("results: " + fs.stream().map(TaskFuture::result).toList());
      ExecutorStats s = ex.stats();
      out.println("statistics: " + s);
      return s;
    }
  }

  /**
   * futurist's periodics: {@code every_tenth} runs every 0.1 s, {@code print_stats} every 0.5 s
   * (printing every watcher's statistics), for {@code seconds}; then the final statistics.
   */
  public static List<WatcherStats> periodics(PrintStream out, Duration runFor) throws InterruptedException {
    AtomicLong ticks = new AtomicLong();
    try (PeriodicWorker worker = PeriodicWorker.builder().name("periodics").build()) {
      worker.add(Periodic.fixedRate("every_tenth", Duration.ofMillis(100), ticks::incrementAndGet));
      worker.add(Periodic.fixedRate("print_stats", Duration.ofMillis(500), () -> {
        for (WatcherStats w : worker.watchers()) {
          out.println("  " + w);
        }
      }));
      worker.start();
      Thread.sleep(runFor.toMillis()); // the program's own run time, as the text's time.sleep
      worker.stop();
      List<WatcherStats> stats = worker.watchers();
      out.printf(Locale.ROOT, "after %.1f s: every_tenth ran %d times%n", runFor.toMillis() / 1000.0, ticks.get());
      stats.forEach(w -> out.println(w));
      return stats;
    }
  }
}
