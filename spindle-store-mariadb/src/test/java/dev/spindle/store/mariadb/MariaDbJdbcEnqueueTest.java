package dev.spindle.store.mariadb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.testkit.mariadb.MariaDbServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Transactional enqueue on the caller's connection: the jobs exist if and only if its transaction commits. */
class MariaDbJdbcEnqueueTest {
  private static NewJob job(String args) {
    Instant now = Instant.now();
    return new NewJob("t.x", args, "q", 0, now, null, JobPolicy.defaults(), now);
  }

  @Test
  void jobsCommitAndRollBackWithTheCallersTransactionAndItsSqlModeIsKept() throws Exception {
    MariaDbServer server = MariaDbServer.shared();
    String name = server.newDatabase("jdbc_enqueue");
    try (MariaDbJobStore store = MariaDbJobStore.builder(server.host(), server.port(), name, server.user())
        .password(server.password()).option("sslMode", "disable").open();
        Connection c = DriverManager.getConnection(server.jdbcUrl(name), server.user(), server.password())) {
      String mode = mode(c);
      c.setAutoCommit(false);
      List<EnqueueResult> kept = store.enqueue(c, List.of(job("1"), job("2")));
      assertThat(mode(c)).isEqualTo(mode);
      c.commit();
      List<EnqueueResult> dropped = store.enqueue(c, List.of(job("3")));
      c.rollback();
      assertThat(store.find(kept.get(0).jobId())).isPresent();
      assertThat(store.find(kept.get(1).jobId())).isPresent();
      assertThat(store.find(dropped.get(0).jobId())).isEmpty();
      c.setAutoCommit(true);
      assertThatThrownBy(() -> store.enqueue(c, List.of(job("4")))).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("auto-commit");
    }
  }

  private static String mode(Connection c) throws Exception {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT @@SESSION.sql_mode")) {
      rs.next();
      return rs.getString(1);
    }
  }
}
