package dev.spindle.cli.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.cli.CliRun;
import dev.spindle.queue.JobError;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.store.sqlite.SqliteJobStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spindle jobs show} lists a job's attempts, each with its worker, host, fence, outcome and
 * own error, and the write the fence refused, on a real SQLite store: a worker registered with a
 * lease that already ran out loses the job, its successor retries then fails it, and the stale worker
 * completes too late.
 */
class JobAttemptsCommandTest {
  @TempDir
  Path dir;

  private String store;
  private String id;

  @BeforeEach
  void aJobWithALostARetriedAndAFailedAttempt() {
    store = "sqlite:" + dir.resolve("jobs.db");
    try (SqliteJobStore s = SqliteJobStore.open(dir.resolve("jobs.db"))) {
      Instant now = s.storeTime();
      s.heartbeat(worker("w-stale", "host-a", now, now.minusSeconds(1)));
      s.heartbeat(worker("w-good", "host-b", now, now.plus(Duration.ofHours(1))));
      id = s.enqueue(List.of(new NewJob("cli.ledger", "{}", "q", 0, now, null, JobPolicy.defaults(), now))).get(0)
          .jobId();
      JobInfo stale = claim(s, "w-stale");
      assertThat(s.reclaimExpired(s.storeTime(), 10)).extracting(JobInfo::id).containsExactly(id);
      JobInfo second = claim(s, "w-good");
      s.complete(List.of(Completion.retry(id, second.fence(), "w-good",
          JobError.of("java.io.IOException", "disk full").toJson(), s.storeTime())), s.storeTime());
      JobInfo third = claim(s, "w-good");
      s.complete(List.of(Completion.failed(id, third.fence(), "w-good",
          JobError.of("java.lang.IllegalStateException", "bad state").toJson())), s.storeTime());
      assertThat(s.complete(List.of(Completion.succeeded(id, stale.fence(), "w-stale", "1")), s.storeTime()))
          .containsExactly(false);
    }
  }

  private static WorkerRecord worker(String id, String host, Instant now, Instant leaseUntil) {
    return new WorkerRecord(id, id, host, 1, List.of("q"), 2, "THREADS", "RUNNING", now, now, leaseUntil, 0, 0, 0, 0);
  }

  private static JobInfo claim(SqliteJobStore s, String worker) {
    List<JobInfo> jobs = s.claim(new ClaimRequest(worker, List.of("q"), 1, s.storeTime())).jobs();
    assertThat(jobs).hasSize(1);
    return jobs.get(0);
  }

  @Test
  void showListsEachAttemptWithItsOwnErrorAndTheRefusedWrite() {
    CliRun show = CliRun.of("jobs", "show", id, "--store", store);
    assertThat(show.code()).as(show.err()).isZero();
    String out = show.out();
    assertThat(out).contains("attempts   3 kept (the last 20 claims); may have run more than once at the same time",
        "LOST", "w-stale", "host-a", "RETRY", "java.io.IOException: disk full", "FAILED",
        "java.lang.IllegalStateException: bad state", "refused    complete SUCCEEDED by w-stale (fence 1)");
    String attempts = out.substring(out.indexOf(" kept (the last "));
    assertThat(attempts.indexOf("disk full")).isPositive().isLessThan(attempts.indexOf("bad state"));
  }

  @Test
  void showAsJsonHasTheLedger() {
    CliRun json = CliRun.of("jobs", "show", id, "--store", store, "--json");
    assertThat(json.code()).as(json.err()).isZero();
    assertThat(json.out()).contains("\"attempts\"", "\"outcome\":\"LOST\"", "\"host\":\"host-b\"",
        "\"attempted\":\"complete SUCCEEDED\"", "\"duplicate\":true");
  }
}
