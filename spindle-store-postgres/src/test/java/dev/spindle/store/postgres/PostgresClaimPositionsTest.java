package dev.spindle.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.store.jdbc.internal.ClaimPositions;
import dev.spindle.testkit.postgres.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Claims start where the store's last claim of the queue ended ({@code ClaimPositions}): with
 * 18,000 claimed jobs' dead entries ahead of the ready ones and a snapshot pinning them (an open
 * transaction elsewhere, so neither a vacuum nor a scan can clear them), the claim reads a small
 * part of what a walk from the head reads; jobs made ready before the position are still claimed in
 * order: at once when made ready through the claiming store, after the position's quarter second
 * when made ready by another process.
 */
class PostgresClaimPositionsTest {
  private static final int JOBS = 20_000;
  private static final int CLAIMED = 18_000;
  private static final Pattern BUFFERS = Pattern.compile("Buffers: shared hit=(\\d+)(?: read=(\\d+))?");

  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private PostgresJobStore store;
  private Connection pin;

  @BeforeEach
  void open() throws Exception {
    store = SharedPostgres.builder("positions").nanoTime(nanos::get).open();
    PostgresServer pg = PostgresServer.shared();
    Properties p = new Properties();
    p.setProperty("user", pg.user());
    p.setProperty("password", pg.password());
    pin = DriverManager.getConnection(pg.jdbcUrl("postgres"), p);
    pin.setAutoCommit(false);
    pin.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
    try (Statement st = pin.createStatement(); ResultSet rs = st.executeQuery("SELECT 1")) {
      rs.next(); // the snapshot is taken: from now on no row version this transaction could see is removed
    }
  }

  @AfterEach
  void close() throws Exception {
    pin.rollback();
    pin.close();
    store.close();
    PostgresServer.shared().psql("DROP SCHEMA " + store.schema() + " CASCADE");
  }

  private static NewJob job(int priority) {
    Instant now = Instant.now();
    return new NewJob("store.echo", "null", "default", priority, now, null, JobPolicy.defaults(), now);
  }

  private static List<JobInfo> claim(PostgresJobStore s, int max) {
    return s.claim(new ClaimRequest("w1", List.of("default"), max, Instant.now())).jobs();
  }

  /** Buffers read by the claim's walk of the ready index from {@code where}, as EXPLAIN counts them. */
  private int buffers(String where) {
    String plan = SharedPostgres.psql(store.schema(), "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT id FROM"
        + " spindle_jobs WHERE state = 1 AND queue = 'default' AND flow_key IS NULL" + where
        + " ORDER BY priority DESC, id LIMIT 64 FOR UPDATE SKIP LOCKED");
    Matcher m = BUFFERS.matcher(plan);
    assertThat(m.find()).as(plan).isTrue();
    return Integer.parseInt(m.group(1)) + (m.group(2) == null ? 0 : Integer.parseInt(m.group(2)));
  }

  /** Enqueues {@link #JOBS} jobs of priority 0 and claims the first {@link #CLAIMED} in batches of 500. */
  private List<JobInfo> claimMost() {
    store.enqueue(IntStream.range(0, JOBS).mapToObj(i -> job(0)).toList());
    List<JobInfo> claimed = new ArrayList<>();
    while (claimed.size() < CLAIMED) {
      claimed.addAll(claim(store, 500));
    }
    assertThat(claimed).extracting(j -> Long.parseLong(j.id())).as("in claim order")
        .isSorted().doesNotHaveDuplicates().hasSize(CLAIMED);
    return claimed;
  }

  @Test
  void aClaimStartsAfterTheClaimedEntriesInsteadOfWalkingThem() {
    List<JobInfo> claimed = claimMost();
    long last = Long.parseLong(claimed.get(CLAIMED - 1).id());
    int fromHead = buffers("");
    int fromPosition = buffers(" AND priority = 0 AND id > " + (last - ClaimPositions.SLACK));
    assertThat(fromPosition).as("from the position: %d buffers; from the head: %d", fromPosition, fromHead)
        .isLessThan(fromHead / 5);
    assertThat(claim(store, 1)).extracting(JobInfo::id).as("the next claim goes on from there")
        .containsExactly(Long.toString(last + 1));
  }

  @Test
  void jobsMadeReadyBeforeThePositionThroughTheClaimingStoreAreClaimedAtOnce() {
    List<JobInfo> claimed = claimMost();
    String urgent = store.enqueue(List.of(job(5))).get(0).jobId();
    assertThat(claim(store, 1)).extracting(JobInfo::id).as("a higher priority").containsExactly(urgent);

    JobInfo first = claimed.get(0);
    assertThat(store.complete(List.of(Completion.retry(first.id(), first.fence(), "w1", "\"again\"",
        Instant.now().minusSeconds(1))), Instant.now())).containsExactly(true);
    assertThat(claim(store, 1)).extracting(JobInfo::id).as("a retry keeps its id, far before the position")
        .containsExactly(first.id());
  }

  @Test
  void jobsMadeReadyBeforeThePositionByAnotherProcessWaitAtMostTheQuarterSecond() {
    claimMost();
    try (PostgresJobStore other = SharedPostgres.builder("unused").schema(store.schema()).open()) {
      String urgent = other.enqueue(List.of(job(5))).get(0).jobId();
      List<JobInfo> next = claim(store, 1);
      assertThat(next).extracting(JobInfo::priority).as("still from the position: this store did not see it")
          .containsExactly(0);
      nanos.addAndGet(ClaimPositions.WALK_EVERY_NANOS);
      assertThat(claim(store, 1)).extracting(JobInfo::id).as("a quarter second later the claim walks from the head")
          .containsExactly(urgent);
      assertThat(store.find(urgent)).map(JobInfo::state).hasValue(JobState.RUNNING);
    }
  }
}
