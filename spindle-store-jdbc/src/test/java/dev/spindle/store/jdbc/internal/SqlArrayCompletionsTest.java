package dev.spindle.store.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.queue.StoreException;
import dev.spindle.store.jdbc.JdbcDialect;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * How a dialect selects the engine's array completion path ({@link SqlArrayCompletions}, {@link
 * SqlNumbering.Sequence}) through {@link JdbcDialect#arrayFinishes}: the dialect's pieces are used
 * as given, and a dialect without them is refused. The statements themselves run against real
 * PostgreSQL in spindle-store-postgres's tests.
 */
class SqlArrayCompletionsTest {
  private static final JdbcDialect.ArrayFinishes PARTS =
      new JdbcDialect.ArrayFinishes("next_finish()", cte -> "any_dependents(" + cte + ")", "");

  @Test
  void theSequenceTakesItsNumbersInTheStatementAfterTheFinishingLock() throws SQLException {
    SqlNumbering.Sequence<SqlConn> numbering = new SqlNumbering.Sequence<>(TestDialect.arrays(Optional.of(PARTS)), "1");
    assertThat(numbering.nextFinishSeq()).isEqualTo("next_finish()");
    try (Connection jdbc = DriverManager.getConnection("jdbc:sqlite::memory:")) {
      SqlConn c = new SqlConn(jdbc, false);
      assertThat(numbering.take(c)).isEqualTo(-1); // the lock expression ran; no number to bind
    }
  }

  @Test
  void theCompletionsUseTheDialectsPiecesAndRunAgainOnlyWithAHistory() {
    SqlArrayCompletions<SqlConn> completions =
        new SqlArrayCompletions<>(TestDialect.arrays(Optional.of(PARTS)), "take_lock()", null, () -> {});
    assertThat(completions.finishLock()).isEqualTo("take_lock()");
    assertThat(completions.hasDependents("upd")).isEqualTo("any_dependents(upd)");
    assertThat(completions.runsAgain(new StoreException(StoreException.Reason.DISK_FULL, "full"))).isFalse();
  }

  @Test
  void aDialectWithoutArrayFinishesIsRefused() {
    JdbcDialect plain = TestDialect.arrays(Optional.empty());
    assertThatThrownBy(() -> new SqlNumbering.Sequence<SqlConn>(plain, "1"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("arrays");
    assertThatThrownBy(() -> new SqlArrayCompletions<SqlConn>(plain, "1", null, () -> {}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("arrays");
  }
}
