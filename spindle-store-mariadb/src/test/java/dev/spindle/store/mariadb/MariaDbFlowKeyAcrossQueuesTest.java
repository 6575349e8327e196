package dev.spindle.store.mariadb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.queue.FlowLimit;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.testkit.mariadb.MariaDbServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A flow key shared by two queues holds its concurrency limit on MariaDB when two stores (as two
 * processes) claim it from different queues at the same moment. The overlap is made certain, not
 * left to timing: a session of the test holds the statistics table locked, so the first claim stops
 * with its job taken but not committed; the second claim then runs against it, and only after it
 * has finished or stopped on a lock too is the table released. The key's lock row must stop the
 * second claim: nothing else in a claim waits for another claim when no delayed job is due ({@link
 * MariaDbConcurrentClaimsTest}), so without that row both jobs would start.
 */
class MariaDbFlowKeyAcrossQueuesTest {
  private static final MariaDbServer SERVER = MariaDbServer.shared();

  private final String database = SERVER.newDatabase("flowkey");
  private final List<MariaDbJobStore> stores = new ArrayList<>();
  private final ExecutorService claimers = Executors.newFixedThreadPool(2);

  @AfterEach
  void close() {
    claimers.shutdownNow();
    stores.forEach(MariaDbJobStore::close);
  }

  private MariaDbJobStore open() {
    MariaDbJobStore s = MariaDbJobStore.builder(SERVER.host(), SERVER.port(), database, SERVER.user())
        .password(SERVER.password()).option("sslMode", "disable").open();
    stores.add(s);
    return s;
  }

  @Test
  void aKeySharedByTwoQueuesRunsOneJobWhenBothQueuesAreClaimedAtOnce() throws Exception {
    MariaDbJobStore one = open();
    MariaDbJobStore two = open();
    FlowLimit limit = FlowLimit.builder("shared").perTask().concurrency(1).build();
    one.flowAdmin().orElseThrow().putLimit(limit);
    Instant t0 = Instant.now();
    List<NewJob> jobs = new ArrayList<>();
    for (String queue : List.of("q1", "q2")) {
      jobs.add(new NewJob("t.x", "{}", queue, 0, t0, null, JobPolicy.defaults(), t0, null)
          .withFlowKey(limit.keyFor(queue, "t.x", "{}")));
    }
    one.enqueue(jobs);
    register(one, "w1", "q1");
    register(two, "w2", "q2");
    try (Connection blocker = DriverManager.getConnection(SERVER.jdbcUrl(database), SERVER.user(),
        SERVER.password()); Statement st = blocker.createStatement()) {
      st.execute("LOCK TABLES spindle_stats WRITE");
      Future<List<JobInfo>> first = claimers.submit(() -> claim(one, "w1", "q1"));
      await().atMost(Duration.ofSeconds(30)).until(() -> waiting(st) == 1);
      Future<List<JobInfo>> second = claimers.submit(() -> claim(two, "w2", "q2"));
      await().atMost(Duration.ofSeconds(30)).until(() -> second.isDone() || waiting(st) == 2);
      st.execute("UNLOCK TABLES");
      List<JobInfo> taken = new ArrayList<>(first.get(30, TimeUnit.SECONDS));
      taken.addAll(second.get(30, TimeUnit.SECONDS));
      assertThat(taken).as("jobs of the shared key running at once").hasSize(1);
    }
  }

  private static void register(MariaDbJobStore store, String worker, String queue) {
    Instant now = Instant.now();
    store.heartbeat(new WorkerRecord(worker, worker, "host", 1, List.of(queue), 1, "THREADS", "RUNNING", now, now,
        now.plus(Duration.ofHours(1)), 0, 0, 0, 0));
  }

  private static List<JobInfo> claim(MariaDbJobStore store, String worker, String queue) {
    return store.claim(new ClaimRequest(worker, List.of(queue), 1, Instant.now())).jobs();
  }

  /** Sessions of the test's database waiting for a table lock or a row lock. */
  private int waiting(Statement st) throws SQLException {
    try (ResultSet rs = st.executeQuery("SELECT (SELECT count(*) FROM information_schema.processlist WHERE db = '"
        + database + "' AND state LIKE 'Waiting for table%') + (SELECT count(*) FROM information_schema.innodb_trx"
        + " WHERE trx_state = 'LOCK WAIT')")) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
