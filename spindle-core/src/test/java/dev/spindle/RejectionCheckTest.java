package dev.spindle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RejectionCheckTest {
  private static final Duration LONG = Duration.ofSeconds(30);

  @Test
  void rejectWhenReachedRefusesWhileTheBacklogIsAtTheLimit() throws InterruptedException {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch running = new CountDownLatch(1);
    Task<Integer, Integer> block = Task.of("test.block", Integer.class, Integer.class, i -> {
      running.countDown();
      release.await();
      return i;
    });
    try (TaskExecutor ex = Spindle.executor(ExecutionModel.THREADS).workers(1)
        .with(RejectionCheck.rejectWhenReached(2)).start()) {
      List<TaskFuture<Integer>> fs = new ArrayList<>();
      try {
        fs.add(ex.submit(block, 0));
        running.await();
      fs.add(ex.submit(block, 1));
      fs.add(ex.submit(block, 2));
      Throwable t = catchThrowable(() -> ex.submit(block, 3));
      assertThat(t).isInstanceOf(RejectedSubmissionException.class).hasMessageContaining("backlog of 2")
          .hasMessageContaining("reject_when_reached(2)");
      assertThat(((RejectedSubmissionException) t).reason()).isEqualTo(RejectedSubmissionException.Reason.BACKLOG_FULL);
      assertThat(ex.stats().rejected()).isEqualTo(1);
      } finally {
        release.countDown();
      }
      for (TaskFuture<Integer> f : fs) {
        f.result(LONG);
      }
      assertThat(ex.submit(block, 4).result(LONG)).isEqualTo(4);
    }
  }

  @Test
  void aCustomCheckSeesTheExecutorAndTheBacklog() {
    AtomicInteger calls = new AtomicInteger();
    RejectionCheck everyOther = (ex, backlog) -> {
      assertThat(ex.model()).isEqualTo(ExecutionModel.SEQUENTIAL);
      assertThat(backlog).isGreaterThanOrEqualTo(0);
      if (calls.incrementAndGet() % 2 == 0) {
        throw new RejectedSubmissionException(RejectedSubmissionException.Reason.BACKLOG_FULL, "every other");
      }
    };
    Task<Integer, Integer> id = Task.of("test.id", Integer.class, Integer.class, i -> i);
    try (TaskExecutor ex = Spindle.executor(ExecutionModel.SEQUENTIAL).with(everyOther).start()) {
      assertThat(ex.submit(id, 1).result(LONG)).isEqualTo(1);
      assertThatThrownBy(() -> ex.submit(id, 2)).hasMessage("every other");
      assertThat(ex.submit(id, 3).result(LONG)).isEqualTo(3);
      assertThat(ex.stats().rejected()).isEqualTo(1);
    }
    assertThatThrownBy(() -> RejectionCheck.rejectWhenReached(-1)).isInstanceOf(IllegalArgumentException.class);
  }
}
