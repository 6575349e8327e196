package dev.spindle.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.UnknownTaskException;
import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobRequest;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.queue.spi.StoreAdmin;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.spring.SpindleEnqueuer;
import dev.spindle.spring.spi.TransactionalEnqueue;
import dev.spindle.testkit.redis.RedisServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.jdbc.datasource.embedded.EmbeddedDatabase;
import org.springframework.jdbc.datasource.embedded.EmbeddedDatabaseBuilder;
import org.springframework.jdbc.datasource.embedded.EmbeddedDatabaseType;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

/**
 * Enqueue with Spring transactions (spring-tx, a DataSourceTransactionManager over an embedded H2
 * database holding the application's data) on real stores: an SQLite file and a real redis-server.
 * A job enqueued in a committed transaction runs; one enqueued in a rolled-back transaction never
 * reaches the store.
 */
class TransactionalEnqueueTest {
  static final Duration WAIT = Duration.ofSeconds(30);
  static RedisServer redis;

  @TempDir
  Path dir;

  @BeforeAll
  static void startRedis() {
    redis = RedisServer.builder().appendOnly(false).start();
  }

  @AfterAll
  static void stopRedis() {
    if (redis != null) {
      redis.stop();
    }
  }

  ApplicationContextRunner runner(String location) {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SpindleAutoConfiguration.class))
        .withUserConfiguration(TestTasks.class, AppData.class)
        .withPropertyValues("spindle.store.location=" + location, "spindle.worker.poll-interval=50ms",
            "spindle.worker.concurrency=1");
  }

  ApplicationContextRunner sqlite() {
    return runner("sqlite:" + dir.resolve("jobs.db"));
  }

  /** The application's own data: an embedded H2 database with an orders table, and its transactions. */
  @Configuration(proxyBeanMethods = false)
  static class AppData {
    @Bean(destroyMethod = "shutdown")
    EmbeddedDatabase dataSource() {
      EmbeddedDatabase db = new EmbeddedDatabaseBuilder().setType(EmbeddedDatabaseType.H2).generateUniqueName(true)
          .build();
      new JdbcTemplate(db).execute("create table orders (id varchar(40) primary key)");
      return db;
    }

    @Bean
    DataSourceTransactionManager transactionManager(DataSource ds) {
      return new DataSourceTransactionManager(ds);
    }

    @Bean
    TransactionTemplate transactionTemplate(PlatformTransactionManager tm) {
      return new TransactionTemplate(tm);
    }

    @Bean
    JdbcTemplate jdbcTemplate(DataSource ds) {
      return new JdbcTemplate(ds);
    }
  }

  static long jobsInStore(StoreAdmin store) {
    return store.inspector().queueSummaries().stream()
        .mapToLong(q -> q.counts().values().stream().mapToLong(Long::longValue).sum()).sum();
  }

  @Test
  void jobEnqueuedInACommittedTransactionRunsAfterTheCommit() {
    sqlite().run(ctx -> committedRuns(ctx.getBean(TransactionTemplate.class), ctx.getBean(JdbcTemplate.class),
        ctx.getBean(SpindleEnqueuer.class), ctx.getBean(StoreBackend.class), ctx.getBean(TestTasks.Recorder.class)));
  }

  @Test
  void jobEnqueuedInACommittedTransactionRunsOnRedis() {
    runner(redis.url()).run(ctx -> committedRuns(ctx.getBean(TransactionTemplate.class),
        ctx.getBean(JdbcTemplate.class), ctx.getBean(SpindleEnqueuer.class), ctx.getBean(StoreBackend.class),
        ctx.getBean(TestTasks.Recorder.class)));
  }

  private static void committedRuns(TransactionTemplate tx, JdbcTemplate jdbc, SpindleEnqueuer enqueuer,
      StoreBackend store, TestTasks.Recorder recorder) {
    long before = jobsInStore(store);
    List<CompletableFuture<JobHandle<JsonNode>>> futures = new ArrayList<>();
    tx.executeWithoutResult(s -> {
      jdbc.update("insert into orders values ('order-1')");
      futures.add(enqueuer.enqueue("test.record", "order-1 confirmed"));
      futures.add(enqueuer.enqueue("test.record", "order-1 invoiced"));
      // Not in the store before the commit.
      assertThat(futures).noneMatch(CompletableFuture::isDone);
      assertThat(jobsInStore(store)).isEqualTo(before);
    });
    for (CompletableFuture<JobHandle<JsonNode>> f : futures) {
      assertThat(f).isCompleted();
      f.join().await(WAIT);
    }
    assertThat(recorder.ran).contains("order-1 confirmed", "order-1 invoiced");
    assertThat(jdbc.queryForObject("select count(*) from orders", Integer.class)).isEqualTo(1);
  }

  @Test
  void jobEnqueuedInARolledBackTransactionNeverRuns() {
    sqlite().run(ctx -> rolledBackNeverRuns(ctx.getBean(TransactionTemplate.class), ctx.getBean(JdbcTemplate.class),
        ctx.getBean(SpindleEnqueuer.class), ctx.getBean(StoreBackend.class), ctx.getBean(TestTasks.Recorder.class)));
  }

  @Test
  void jobEnqueuedInARolledBackTransactionNeverRunsOnRedis() {
    runner(redis.url()).run(ctx -> rolledBackNeverRuns(ctx.getBean(TransactionTemplate.class),
        ctx.getBean(JdbcTemplate.class), ctx.getBean(SpindleEnqueuer.class), ctx.getBean(StoreBackend.class),
        ctx.getBean(TestTasks.Recorder.class)));
  }

  private static void rolledBackNeverRuns(TransactionTemplate tx, JdbcTemplate jdbc, SpindleEnqueuer enqueuer,
      StoreBackend store, TestTasks.Recorder recorder) {
    long before = jobsInStore(store);
    List<CompletableFuture<?>> futures = new CopyOnWriteArrayList<>();
    tx.executeWithoutResult(s -> {
      jdbc.update("insert into orders values ('order-2')");
      futures.add(enqueuer.enqueue("test.record", "order-2 confirmed"));
      s.setRollbackOnly();
    });
    assertThatThrownBy(() -> tx.executeWithoutResult(s -> {
      jdbc.update("insert into orders values ('order-3')");
      futures.add(enqueuer.enqueue(TestTasks.UPPER, "order-3"));
      throw new IllegalStateException("payment declined");
    })).hasMessage("payment declined");
    assertThat(futures).hasSize(2).allMatch(CompletableFuture::isCancelled);
    assertThat(jdbc.queryForObject("select count(*) from orders", Integer.class)).isZero();
    assertThat(jobsInStore(store)).isEqualTo(before);
    // The worker runs jobs in order (one slot): once a later job ran, a rolled-back one would have too.
    enqueuer.enqueue("test.record", "marker").join().await(WAIT);
    assertThat(recorder.ran).contains("marker").doesNotContain("order-2 confirmed");
    assertThat(jobsInStore(store)).isEqualTo(before + 1);
  }

  @Test
  void anInnerRequiresNewTransactionCommitsItsJobsWhileTheOuterRollsBack() {
    sqlite().run(ctx -> {
      TransactionTemplate outer = ctx.getBean(TransactionTemplate.class);
      TransactionTemplate inner = new TransactionTemplate(ctx.getBean(PlatformTransactionManager.class));
      inner.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
      SpindleEnqueuer enqueuer = ctx.getBean(SpindleEnqueuer.class);
      List<CompletableFuture<JobHandle<JsonNode>>> f = new ArrayList<>();
      outer.executeWithoutResult(s -> {
        f.add(enqueuer.enqueue("test.record", "outer"));
        inner.executeWithoutResult(s2 -> f.add(enqueuer.enqueue("test.record", "inner")));
        assertThat(f.get(1)).isCompleted();
        assertThat(f.get(0)).isNotDone();
        s.setRollbackOnly();
      });
      assertThat(f.get(0)).isCancelled();
      f.get(1).join().await(WAIT);
      enqueuer.enqueue("test.record", "marker").join().await(WAIT);
      assertThat(ctx.getBean(TestTasks.Recorder.class).ran).contains("inner", "marker").doesNotContain("outer");
    });
  }

  @Test
  void mistakesThrowInsideTheTransactionSoItCanRollBack() {
    sqlite().run(ctx -> {
      SpindleEnqueuer enqueuer = ctx.getBean(SpindleEnqueuer.class);
      JdbcTemplate jdbc = ctx.getBean(JdbcTemplate.class);
      assertThatThrownBy(() -> ctx.getBean(TransactionTemplate.class).executeWithoutResult(s -> {
        jdbc.update("insert into orders values ('order-4')");
        enqueuer.enqueue("no.such.task", "x");
      })).isInstanceOf(UnknownTaskException.class);
      assertThatThrownBy(() -> ctx.getBean(TransactionTemplate.class).executeWithoutResult(s ->
          enqueuer.enqueueJson("test.sum", "{not json"))).isInstanceOf(dev.spindle.PayloadException.class);
      assertThat(jdbc.queryForObject("select count(*) from orders", Integer.class)).isZero();
    });
  }

  @Test
  void immediateModeIgnoresTheTransaction() {
    sqlite().withPropertyValues("spindle.enqueue.mode=immediate", "spindle.worker.enabled=false").run(ctx -> {
      SpindleEnqueuer enqueuer = ctx.getBean(SpindleEnqueuer.class);
      StoreBackend store = ctx.getBean(StoreBackend.class);
      List<CompletableFuture<JobHandle<String>>> f = new ArrayList<>();
      ctx.getBean(TransactionTemplate.class).executeWithoutResult(s -> {
        f.add(enqueuer.enqueue(TestTasks.UPPER, "now"));
        assertThat(f.get(0)).isCompleted();
        s.setRollbackOnly();
      });
      assertThat(store.find(f.get(0).join().id())).isPresent();
    });
  }

  @Test
  void withoutATransactionJobsAreEnqueuedAtOnce() {
    sqlite().withPropertyValues("spindle.worker.enabled=false").run(ctx -> {
      CompletableFuture<JobHandle<String>> f = ctx.getBean(SpindleEnqueuer.class).enqueue(TestTasks.UPPER, "now");
      assertThat(f).isCompleted();
      assertThat(ctx.getBean(JobStore.class).find(f.join().id())).isPresent();
    });
  }

  /**
   * The extension point for stores in the application's database: the enqueuer hands it the
   * transaction's own connection. (The PostgreSQL store will write its rows there; this test
   * extension checks the connection and forwards to the SQLite store.)
   */
  @Test
  void aTransactionalStoreExtensionGetsTheTransactionsConnection() {
    sqlite().withUserConfiguration(ConnectionCheckingExtension.class).run(ctx -> {
      SpindleEnqueuer enqueuer = ctx.getBean(SpindleEnqueuer.class);
      DataSource ds = ctx.getBean(DataSource.class);
      ConnectionCheckingExtension ext = ctx.getBean(ConnectionCheckingExtension.class);
      List<CompletableFuture<JobHandle<JsonNode>>> f = new ArrayList<>();
      assertThat(enqueuer.writesInTransaction()).isFalse();
      ctx.getBean(TransactionTemplate.class).executeWithoutResult(s -> {
        assertThat(enqueuer.writesInTransaction()).isTrue();
        f.add(enqueuer.enqueue("test.record", "in-tx"));
        Connection txConnection = DataSourceUtils.getConnection(ds);
        assertThat(ext.seen).containsExactly(txConnection);
        assertThat(f.get(0)).isNotDone();
      });
      f.get(0).join().await(WAIT);
      assertThat(ctx.getBean(TestTasks.Recorder.class).ran).contains("in-tx");
    });
  }

  @Configuration(proxyBeanMethods = false)
  static class ConnectionCheckingExtension implements TransactionalEnqueue {
    final List<Connection> seen = new CopyOnWriteArrayList<>();
    final ObjectProvider<JobQueue> queue;

    ConnectionCheckingExtension(ObjectProvider<JobQueue> queue) {
      this.queue = queue;
    }

    @Override
    public boolean supports(JobStore store, DataSource dataSource) {
      return dataSource instanceof EmbeddedDatabase;
    }

    @Override
    public List<String> enqueue(Connection connection, List<JobRequest> requests) {
      seen.add(connection);
      return queue.getObject().enqueueAll(requests).stream().map(JobHandle::id).toList();
    }
  }

}
