package dev.spindle.store.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.queue.store.ChangeListeners;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine's polling change feed on a real SQLite file ({@code PRAGMA data_version} on a
 * connection of its own), written through another connection.
 */
class SqlChangePollerTest {
  private static final long INTERVAL = TimeUnit.MILLISECONDS.toNanos(2);

  @TempDir
  Path dir;

  private Connection open() throws SQLException {
    return DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("db"));
  }

  private static void commit(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  @Test
  void anotherConnectionsCommitWakesTheListeners() throws Exception {
    ChangeListeners listeners = new ChangeListeners();
    AtomicInteger woken = new AtomicInteger();
    try (Connection writer = open(); SqlChangePoller poller = new SqlChangePoller("test-changes",
        SqlChangePoller.dedicated(this::open, "PRAGMA data_version"), INTERVAL, 0, listeners)) {
      commit(writer, "CREATE TABLE t (x INTEGER)");
      listeners.add(woken::incrementAndGet);
      poller.start();
      // a commit before the poller's first read is its baseline, not a change: commit until one is seen
      await().atMost(Duration.ofSeconds(10)).until(() -> {
        commit(writer, "INSERT INTO t VALUES (1)");
        return woken.get() > 0;
      });
    }
  }

  @Test
  void aSourceThatFailsWakesTheListenersAndIsOpenedAgain() throws Exception {
    ChangeListeners listeners = new ChangeListeners();
    AtomicInteger woken = new AtomicInteger();
    AtomicInteger opened = new AtomicInteger();
    SqlChangePoller.Sources real = SqlChangePoller.dedicated(this::open, "PRAGMA data_version");
    SqlChangePoller.Sources failingFirst = () -> {
      if (opened.incrementAndGet() == 1) {
        throw new SQLException("the database is gone for a moment");
      }
      return real.open();
    };
    try (Connection writer = open();
         SqlChangePoller poller = new SqlChangePoller("test-changes", failingFirst, INTERVAL, 0, listeners)) {
      commit(writer, "CREATE TABLE t (x INTEGER)");
      listeners.add(woken::incrementAndGet);
      poller.start();
      await().atMost(Duration.ofSeconds(10)).until(() -> opened.get() >= 2 && woken.get() > 0);
      int before = woken.get();
      commit(writer, "INSERT INTO t VALUES (1)");
      await().atMost(Duration.ofSeconds(10)).until(() -> woken.get() > before);
      assertThat(opened.get()).isEqualTo(2);
    }
  }

  @Test
  void aHeartbeatWakesTheListenersWithoutAChange() throws Exception {
    ChangeListeners listeners = new ChangeListeners();
    AtomicInteger woken = new AtomicInteger();
    SqlChangePoller.Source steady = () -> 42;
    try (SqlChangePoller poller = new SqlChangePoller("test-changes", () -> steady, INTERVAL, INTERVAL, listeners)) {
      listeners.add(woken::incrementAndGet);
      poller.start();
      await().atMost(Duration.ofSeconds(10)).until(() -> woken.get() >= 3);
    }
  }
}
