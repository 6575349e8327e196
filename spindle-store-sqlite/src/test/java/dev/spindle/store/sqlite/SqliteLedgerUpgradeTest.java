package dev.spindle.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.spi.AttemptOutcome;
import dev.spindle.queue.spi.AttemptRecord;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.NewJob;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ledger rows an earlier version wrote: it opened an entry at every claim and closed it at the
 * completion. A job claimed by such a worker and completed by this version must show one attempt,
 * ended, not an open entry beside the ended one.
 */
class SqliteLedgerUpgradeTest {
  @TempDir
  Path dir;

  @Test
  void anEntryOpenedByAnEarlierVersionIsClosedByTheJobsRow() throws Exception {
    Path db = dir.resolve("upgrade.db");
    try (SqliteJobStore store = SqliteJobStore.builder(db).open()) {
      Instant now = store.storeTime();
      String id = store.enqueue(List.of(new NewJob("t.upgrade", "{}", "q", 0, now, null, JobPolicy.defaults(), now)))
          .get(0).jobId();
      JobInfo j = store.claim(new ClaimRequest("w-old", List.of("q"), 1, now)).jobs().get(0);
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
           PreparedStatement open = c.prepareStatement("INSERT INTO spindle_job_attempts (job_id, fence, kind,"
               + " attempt, worker_id, host, started_at) VALUES (?, ?, 0, 1, 'w-old', 'old-host', 0)")) {
        open.setLong(1, Long.parseLong(id));
        open.setLong(2, j.fence());
        open.executeUpdate();
      }
      assertThat(store.attempts().orElseThrow().attempts(id).orElseThrow().attempts())
          .singleElement().satisfies(a -> assertThat(a.running()).isTrue());

      assertThat(store.complete(List.of(Completion.succeeded(id, j.fence(), "w-old", "1")), now)).containsExactly(true);

      List<AttemptRecord> after = store.attempts().orElseThrow().attempts(id).orElseThrow().attempts();
      assertThat(after).singleElement().satisfies(a -> {
        assertThat(a.outcome()).isEqualTo(AttemptOutcome.SUCCEEDED);
        assertThat(a.endedAt()).isNotNull();
        assertThat(a.host()).as("the entry's host, recorded at the claim").isEqualTo("old-host");
      });
    }
  }
}
