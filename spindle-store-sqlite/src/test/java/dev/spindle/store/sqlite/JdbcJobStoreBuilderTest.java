package dev.spindle.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.FinishedBatch;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.store.jdbc.JdbcJobStore;
import dev.spindle.store.jdbc.internal.HostClock;
import dev.spindle.store.jdbc.internal.SqlMeta;
import dev.spindle.store.jdbc.internal.SqlNumbering;
import dev.spindle.store.jdbc.internal.SqlReturningClaims;
import dev.spindle.store.jdbc.internal.TraceContextColumn;
import dev.spindle.store.sqlite.internal.Db;
import dev.spindle.store.sqlite.internal.SqliteDialect;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine's public entry, built directly from a dialect's parts as a new database's module
 * would: it refuses a missing part by name, and a store built from the parts it requires (JDBC
 * batches for completions being the engine's default) enqueues, claims, completes and reports the
 * finished job on a real SQLite file.
 */
class JdbcJobStoreBuilderTest {
  @TempDir
  Path dir;

  private Db open(String name) {
    return new SqliteSettings(dir.resolve(name), Duration.ofSeconds(10), SqliteJobStore.Durability.NORMAL, 0,
        1 << 20, Duration.ofMillis(2), false, false, HostClock.INSTANCE).openDatabase();
  }

  @Test
  void aMissingPartIsNamed() {
    try (Db db = open("missing.db")) {
      JdbcJobStore.Builder<Db.Conn> b = JdbcJobStore.builder(SqliteDialect.INSTANCE, db, HostClock.INSTANCE)
          .finishCursor(c -> SqlMeta.get(c, "finish_seq"));
      assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class)
          .hasMessage("a sqlite job store needs its numbering");
      SqlReturningClaims<Db.Conn> claims = SqliteClaims.create();
      b.numbering(new SqlNumbering.Counter<>(SqliteDialect.INSTANCE)).claims(claims);
      assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class)
          .hasMessage("a sqlite job store needs its inserts");
    }
  }

  @Test
  void aStoreBuiltFromItsPartsRunsAJobToItsEnd() {
    SqlReturningClaims<Db.Conn> claims = SqliteClaims.create();
    try (JdbcJobStore<Db.Conn> store = JdbcJobStore.builder(SqliteDialect.INSTANCE, open("parts.db"),
        HostClock.INSTANCE).describe("sqlite:parts").traceContextColumn(TraceContextColumn.EXPRESSION)
        .numbering(new SqlNumbering.Counter<>(SqliteDialect.INSTANCE)).finishCursor(c -> SqlMeta.get(c, "finish_seq"))
        .inserts(new SqliteEnqueue(claims)).claims(claims).build()) {
      Instant now = store.storeTime();
      String id = store.enqueue(List.of(new NewJob("t.echo", "\"hi\"", "q", 0, now, null, JobPolicy.defaults(), now,
          null))).get(0).jobId();
      List<JobInfo> claimed = store.claim(new ClaimRequest("w1", List.of("q"), 4, now)).jobs();
      assertThat(claimed).extracting(JobInfo::id).containsExactly(id);
      JobInfo j = claimed.get(0);
      assertThat(store.complete(List.of(Completion.succeeded(id, j.fence(), "w1", "\"done\"")), now))
          .containsExactly(true);
      FinishedBatch feed = store.finishedAfter(0, 10);
      assertThat(feed.jobs()).extracting(JobInfo::id).containsExactly(id);
      assertThat(feed.jobs().get(0).state()).isEqualTo(JobState.SUCCEEDED);
      assertThat(feed.cursor()).isEqualTo(store.finishCursor()).isEqualTo(feed.jobs().get(0).finishSeq());
      assertThat(store.describe()).isEqualTo("sqlite:parts");
    }
  }
}
