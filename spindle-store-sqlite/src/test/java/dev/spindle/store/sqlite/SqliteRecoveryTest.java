package dev.spindle.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.spindle.Task;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobState;
import dev.spindle.queue.StoreException;
import dev.spindle.queue.Worker;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.WorkerRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * After a write error (IOERR from files made immutable with {@code chattr +i},
 * as a full or failing disk does) the store and a worker on it resume by themselves once the files
 * are writable again, and no outcome is lost. Real database files; the test runs as root, where
 * only {@code chattr +i} (not permissions) stops writes.
 */
class SqliteRecoveryTest {
  private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

  @TempDir
  Path dir;

  private static NewJob job(String args) {
    return new NewJob("t.echo", args, JobOptions.DEFAULT_QUEUE, 0, NOW, null, JobPolicy.defaults(), NOW);
  }

  private static WorkerRecord worker(int processed) {
    return new WorkerRecord("w", "w", "h", 1, List.of("default"), 1, "THREADS", "RUNNING", NOW, NOW,
        NOW.plusSeconds(60), 0, processed, 0, 0);
  }

  private static void chattr(String flag, Path... files) throws Exception {
    for (Path p : files) {
      if (Files.exists(p)) {
        Process proc = new ProcessBuilder("chattr", flag, p.toString()).inheritIO().start();
        assertThat(proc.waitFor()).as("chattr " + flag + " " + p + " (the test runs as root)").isZero();
      }
    }
  }

  /** The database and its WAL (not the -shm file: SQLite maps it, and a fault there is a SIGBUS). */
  private Path[] files(Path db) {
    return new Path[] {db, dir.resolve(db.getFileName() + "-wal")};
  }

  @Test
  void theStoreWritesAgainAfterAnIoErrorOnceTheFilesAreWritable() throws Exception {
    Path f = dir.resolve("imm.db");
    try (SqliteJobStore store = SqliteJobStore.open(f)) {
      store.heartbeat(worker(0));
      store.enqueue(List.of(job("1")));
      chattr("+i", files(f));
      try {
        for (int i = 0; i < 3; i++) {
          int n = i;
          assertThatThrownBy(() -> store.heartbeat(worker(n))).isInstanceOf(StoreException.class);
          assertThatThrownBy(() -> store.enqueue(List.of(job("2")))).isInstanceOf(StoreException.class)
              .hasMessageNotContaining("statement is not executing");
        }
      } finally {
        chattr("-i", files(f));
      }
      store.heartbeat(worker(5));
      store.enqueue(List.of(job("3")));
      List<JobInfo> claimed = store.claim(new ClaimRequest("w", List.of("default"), 10, NOW)).jobs();
      assertThat(claimed).extracting(JobInfo::argsJson).containsExactly("1", "3");
    }
  }

  @Test
  void aWorkerKeepsItsOutcomesThroughAWriteOutageAndResumesByItself() throws Exception {
    Path f = dir.resolve("worker.db");
    CountDownLatch gate = new CountDownLatch(1);
    AtomicInteger ran = new AtomicInteger();
    Task<Integer, Integer> gated = Task.of("t.gated", Integer.class, Integer.class, x -> {
      gate.await();
      ran.incrementAndGet();
      return x * 10;
    });
    TaskRegistry registry = TaskRegistry.builder().add(gated).build();
    int n = 4;
    try (SqliteJobStore store = SqliteJobStore.open(f);
         JobQueue q = JobQueue.builder(store).registry(registry).build()) {
      List<JobHandle<Integer>> handles = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        handles.add(q.enqueue(gated, i));
      }
      try (Worker w = Worker.builder(store).registry(registry).concurrency(n).leaseDuration(Duration.ofSeconds(30))
          .heartbeatInterval(Duration.ofMillis(200)).shutdownGrace(Duration.ofSeconds(5)).start()) {
        await().atMost(Duration.ofSeconds(10)).until(() -> w.stats().running() == n);
        chattr("+i", files(f));
        try {
          gate.countDown();
          await().atMost(Duration.ofSeconds(10)).until(() -> ran.get() == n);
          // the outcomes cannot be written now: heartbeats and completions fail (and are retried)
          await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
              .until(() -> w.stats().succeeded() == 0);
        } finally {
          chattr("-i", files(f));
        }
        for (int i = 0; i < n; i++) {
          assertThat(handles.get(i).result(Duration.ofSeconds(20))).isEqualTo(i * 10);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> w.stats().succeeded() == n);
        assertThat(w.stats().leaseLost()).isZero();
        assertThat(w.failure()).isEmpty();
      }
      for (JobHandle<Integer> h : handles) {
        assertThat(store.find(h.id()).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
      }
    }
  }
}
