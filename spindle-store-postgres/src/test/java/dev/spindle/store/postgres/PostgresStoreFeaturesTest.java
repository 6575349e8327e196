package dev.spindle.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.spindle.queue.DependencyPolicy;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobState;
import dev.spindle.queue.StoreException;
import dev.spindle.queue.WorkflowInput;
import dev.spindle.queue.spi.Dependency;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.Subscription;
import dev.spindle.testkit.postgres.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What the PostgreSQL store adds to the contract: transactional enqueue through the caller's
 * connection, wake-ups across processes (NOTIFY on and off), the versioned schema.
 */
class PostgresStoreFeaturesTest {
  private static NewJob job(String arg) {
    Instant now = Instant.now();
    return new NewJob("store.echo", "\"" + arg + "\"", "default", 0, now, null, JobPolicy.defaults(), now);
  }

  private static Connection connect(String schema) throws Exception {
    PostgresServer pg = PostgresServer.shared();
    Properties p = new Properties();
    p.setProperty("user", pg.user());
    p.setProperty("password", pg.password());
    Connection c = DriverManager.getConnection(pg.jdbcUrl("postgres"), p);
    try (Statement st = c.createStatement()) {
      st.execute("CREATE TABLE IF NOT EXISTS public.orders_" + schema + " (id int)");
    }
    return c;
  }

  @Test
  void enqueueInTheCallersTransactionExistsOnlyIfItCommits() throws Exception {
    try (PostgresJobStore store = SharedPostgres.open("txenq", null)) {
      String table = "public.orders_" + store.schema();
      try (Connection c = connect(store.schema())) {
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
          st.execute("INSERT INTO " + table + " VALUES (1)");
        }
        EnqueueResult rolledBack = store.enqueue(c, List.of(job("lost"))).get(0);
        assertThat(rolledBack.created()).isTrue();
        assertThat(store.find(rolledBack.jobId())).as("not visible before commit").isEmpty();
        c.rollback();
        assertThat(store.find(rolledBack.jobId())).as("a rollback leaves no job").isEmpty();

        try (Statement st = c.createStatement()) {
          st.execute("INSERT INTO " + table + " VALUES (2)");
          st.execute("SET LOCAL search_path TO public");
        }
        EnqueueResult committed = store.enqueue(c, List.of(job("kept"))).get(0);
        try (Statement st = c.createStatement(); var rs = st.executeQuery("SHOW search_path")) {
          rs.next();
          assertThat(rs.getString(1)).as("the caller's search_path is restored").isEqualTo("public");
        }
        c.commit();
        assertThat(store.find(committed.jobId())).hasValueSatisfying(j -> {
          assertThat(j.state()).isEqualTo(JobState.QUEUED);
          assertThat(j.argsJson()).isEqualTo("\"kept\"");
        });
        assertThat(store.inspector().queueSummaries().get(0).count(JobState.QUEUED)).isEqualTo(1);
      }
    }
  }

  @Test
  void aRefusedTransactionalEnqueueLeavesTheCallersTransactionAsItWas() throws Exception {
    try (PostgresJobStore store = SharedPostgres.open("txbad", null)) {
      String table = "public.orders_" + store.schema();
      try (Connection c = connect(store.schema())) {
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
          st.execute("SET LOCAL search_path TO public");
          st.execute("INSERT INTO " + table + " VALUES (1)");
        }
        NewJob orphan = job("orphan").dependingOn(
            List.of(Dependency.onJob("999999", DependencyPolicy.REQUIRE_SUCCESS)), WorkflowInput.ARGS);
        assertThatThrownBy(() -> store.enqueue(c, List.of(job("first"), orphan)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("999999")
            .hasMessageContaining("nothing was added");
        try (Statement st = c.createStatement(); var rs = st.executeQuery("SHOW search_path")) {
          rs.next();
          assertThat(rs.getString(1)).as("the caller's search_path is restored").isEqualTo("public");
        }
        // the caller's transaction goes on and commits its own work
        try (Statement st = c.createStatement()) {
          st.execute("INSERT INTO orders_" + store.schema() + " VALUES (2)");
        }
        c.commit();
        assertThat(PostgresServer.shared().psql("SELECT count(*) FROM " + table)).isEqualTo("2");
        assertThat(store.inspector().listJobs(JobFilter.all())).as("nothing of the refused enqueue was added").isEmpty();
      }
    }
  }

  @Test
  void aSchemaNamedWithCapitalsIsOneSchemaForEveryPath() throws Exception {
    String schema = "Mixed" + PostgresServer.newSchema("Case");
    PostgresServer pg = PostgresServer.shared();
    PostgresJobStore.Builder b = PostgresJobStore.builder(pg.host(), pg.port(), "postgres", pg.user())
        .password(pg.password()).schema(schema);
    // the connections' search_path folds an unquoted name to lower case: the tables, the schema made
    // at open and the transactional enqueue's search_path must all be that one schema
    try (PostgresJobStore store = b.open(); Connection c = connect("mixed")) {
      assertThat(store.schema()).isEqualTo(schema.toLowerCase(java.util.Locale.ROOT));
      c.setAutoCommit(false);
      EnqueueResult r = store.enqueue(c, List.of(job("tx"))).get(0);
      c.commit();
      assertThat(store.find(r.jobId())).isPresent();
      assertThat(pg.psql("SELECT count(*) FROM pg_namespace WHERE lower(nspname) = lower('" + schema + "')"))
          .as("one schema").isEqualTo("1");
    }
  }

  @Test
  void transactionalEnqueueRefusesAnAutoCommitConnection() throws Exception {
    try (PostgresJobStore store = SharedPostgres.open("txauto", null);
         Connection c = connect(store.schema())) {
      assertThatThrownBy(() -> store.enqueue(c, List.of(job("x")))).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("auto-commit");
    }
  }

  @Test
  void anEnqueueInAnotherProcessWakesSubscribersByNotify() throws Exception {
    PostgresJobStore.Builder b = SharedPostgres.builder("wake").pollInterval(Duration.ofSeconds(1));
    try (PostgresJobStore listener = b.open(); PostgresJobStore producer = b.open()) {
      assertThat(listener.notifying()).isTrue();
      CountDownLatch woke = new CountDownLatch(1);
      CountDownLatch ready = new CountDownLatch(1);
      try (Subscription s = listener.subscribe(() -> {
        ready.countDown();
        if (ready.getCount() == 0 && !listener.find("1").isEmpty()) {
          woke.countDown();
        }
      })) {
        assertThat(ready.await(10, TimeUnit.SECONDS)).as("the feed calls listeners once listening").isTrue();
        long notifiedBefore = listener.wakeUpsByNotification();
        producer.enqueue(List.of(job("wake")));
        assertThat(woke.await(10, TimeUnit.SECONDS)).isTrue();
        // the producer's NOTIFY reaches this store and fires its listeners (the 1 s poll would too,
        // later; counting notifications shows the wake-up needs no poll, without timing it)
        await().atMost(Duration.ofSeconds(10)).until(() -> listener.wakeUpsByNotification() > notifiedBefore);
      }
    }
  }

  @Test
  void withNotifyOffAnEnqueueIsSeenByPolling() throws Exception {
    PostgresJobStore.Builder b = SharedPostgres.builder("poll").listenNotify(false)
        .pollInterval(Duration.ofMillis(20));
    try (PostgresJobStore listener = b.open(); PostgresJobStore producer = b.open()) {
      assertThat(listener.notifying()).isFalse();
      CountDownLatch woke = new CountDownLatch(1);
      try (Subscription s = listener.subscribe(() -> {
        if (!listener.find("1").isEmpty()) {
          woke.countDown();
        }
      })) {
        producer.enqueue(List.of(job("polled")));
        assertThat(woke.await(10, TimeUnit.SECONDS)).isTrue();
      }
    }
  }

  @Test
  void aNewerSchemaIsRefusedAndLeftUnchanged() throws Exception {
    PostgresJobStore.Builder b = SharedPostgres.builder("newer");
    String schema;
    try (PostgresJobStore store = b.open()) {
      schema = store.schema();
      store.enqueue(List.of(job("old")));
    }
    PostgresServer.shared().psql("UPDATE " + schema + ".spindle_meta SET value = 99 WHERE key = 'schema_version'");
    assertThatThrownBy(b::open).isInstanceOf(StoreException.class)
        .satisfies(e -> assertThat(((StoreException) e).reason()).isEqualTo(StoreException.Reason.CANNOT_OPEN))
        .hasMessageContaining("schema version 99").hasMessageContaining("upgrade Spindle");
    assertThat(PostgresServer.shared().psql("SELECT count(*) FROM " + schema + ".spindle_jobs")).isEqualTo("1");
  }
}
