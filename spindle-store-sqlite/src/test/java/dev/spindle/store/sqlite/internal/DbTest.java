package dev.spindle.store.sqlite.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.spindle.queue.StoreException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DbTest {
  /** The size of one copy of the WAL index header at the start of the {@code -shm} file. */
  private static final int HEADER = 48;

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

  @Test
  void anErrorNamesTheFileForWhatItIs() throws Exception {
    Path f = dir.resolve("locks.db");
    Files.writeString(f, "not a database. ".repeat(256));
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    assertThatThrownBy(() -> new Db(f, Duration.ofSeconds(1), 0, false, FilePrivacy.Opening.EXISTING,
        "coordination database", false)).isInstanceOf(StoreException.class)
        .hasMessageStartingWith("the coordination database file is damaged or is not a SQLite database (open on " + f);
  }

  /**
   * A process stopped (SIGSTOP, a debugger) between writing the two copies of the WAL index header
   * while it holds the write lock leaves every reader unable to start: SQLite retries on its own for
   * about 10 s, then returns SQLITE_PROTOCOL without calling the busy handler. The store treats that
   * as a lock held, so a read waits (up to the busy timeout) for the process to go on rather than
   * failing. The stopped process is played by a connection holding the write lock and an older
   * header in the second copy; it "goes on" when the copies agree again.
   */
  @Test
  void aReadWaitsForAWriterStoppedInsideTheWalProtocolInsteadOfFailing() throws Exception {
    Path f = dir.resolve("jobs.db");
    Path shm = Path.of(f + "-shm");
    try (Connection stopped = DriverManager.getConnection("jdbc:sqlite:" + f);
        Statement st = stopped.createStatement()) {
      st.execute("PRAGMA journal_mode=WAL");
      st.execute("CREATE TABLE t (x INTEGER)"); // before the store opens: its connections know the table
      st.execute("INSERT INTO t VALUES (1)");
      byte[] older = read(shm, 0, HEADER);
      try (Db db = new Db(f, Duration.ofSeconds(60), 0, false, FilePrivacy.Opening.EXISTING, "job database",
          false)) {
        db.update("insert", c -> c.execOnce("INSERT INTO t VALUES (2)"));
        st.execute("BEGIN IMMEDIATE");
        write(shm, HEADER, older); // torn: the second copy is not the first

        CompletableFuture<Long> count = CompletableFuture.supplyAsync(() -> db.read("count", c -> {
          try (ResultSet rs = c.ps("SELECT count(*) FROM t").executeQuery()) {
            rs.next();
            return rs.getLong(1);
          }
        }));
        // past SQLite's own 10 s of retries, after which it returns SQLITE_PROTOCOL
        await().during(Duration.ofSeconds(12)).atMost(Duration.ofSeconds(20)).until(() -> !count.isDone());

        write(shm, HEADER, read(shm, 0, HEADER)); // the stopped process finishes writing the header...
        st.execute("ROLLBACK"); // ...and its transaction
        assertThat(count).succeedsWithin(Duration.ofSeconds(30)).isEqualTo(2L);
      }
    }
  }

  private static byte[] read(Path file, long at, int length) throws Exception {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer b = ByteBuffer.allocate(length);
      ch.read(b, at);
      return b.array();
    }
  }

  private static void write(Path file, long at, byte[] bytes) throws Exception {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(bytes), at);
    }
  }
}
