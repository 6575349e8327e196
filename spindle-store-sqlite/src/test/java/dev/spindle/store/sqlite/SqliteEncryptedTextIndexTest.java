package dev.spindle.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.KeyRing;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.NewJob;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Encrypted arguments stay out of the text index: their ciphertext matches no search, and its
 * random trigrams would make every insert slow. Plain arguments are still found.
 */
class SqliteEncryptedTextIndexTest {
  @TempDir
  Path dir;

  @Test
  void encryptedArgumentsAreNotIndexedPlainOnesAre() throws Exception {
    Path db = dir.resolve("text.db");
    KeyRing ring = KeyRing.of("k1", Map.of("k1", KeyRing.newKey()));
    String sealed = ring.encrypt(KeyRing.ARGS, "t.secret", "{\"card\":\"4111-1111\"}");
    try (SqliteJobStore store = SqliteJobStore.builder(db).open()) {
      Instant now = store.storeTime();
      List<String> ids = store.enqueue(List.of(
          new NewJob("t.secret", sealed, "q", 0, now, null, JobPolicy.defaults(), now),
          new NewJob("t.plain", "{\"order\":\"A-77\"}", "q", 0, now, null, JobPolicy.defaults(), now)))
          .stream().map(r -> r.jobId()).toList();

      assertThat(store.inspector().listJobs(JobFilter.all().withText("A-77"))).extracting(JobInfo::id)
          .containsExactly(ids.get(1));
      String cipherPiece = sealed.substring(sealed.indexOf("\"ct\":\"") + 6).substring(0, 12);
      assertThat(store.inspector().listJobs(JobFilter.all().withText(cipherPiece))).isEmpty();
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
         ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM spindle_jobs_text"
             + " WHERE spindle_jobs_text MATCH '\"" + "A-77" + "\"'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getInt(1)).isEqualTo(1);
    }
  }
}
