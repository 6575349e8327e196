package dev.spindle.store.sqlite.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.queue.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DbTest {
  @TempDir Path dir;

  @Test
  void aConnectionOpenedAfterTheFileWasDeletedDoesNotRecreateIt() throws Exception {
    Path f = dir.resolve("jobs.db");
    Db db = new Db(f, Duration.ofSeconds(1), 0, false, FilePrivacy.Opening.CREATE, "job database", false);
    try {
      for (String suffix : new String[] {"", "-wal", "-shm"}) {
        Files.deleteIfExists(Path.of(f + suffix));
      }
      // a reader or the change feed connecting late must not hide the deletion behind a new file
      assertThatThrownBy(db::connect).isInstanceOf(SQLException.class);
      assertThat(f).doesNotExist();
      assertThatThrownBy(db::checkFileIdentity).isInstanceOf(StoreException.class)
          .hasMessageContaining(f + " was deleted");
    } finally {
      db.close();
    }
  }
}
