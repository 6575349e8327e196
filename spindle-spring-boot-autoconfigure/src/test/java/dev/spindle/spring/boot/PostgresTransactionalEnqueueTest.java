package dev.spindle.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.spi.StoreAdmin;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.spring.SpindleEnqueuer;
import dev.spindle.spring.internal.JdbcStoreEnqueue;
import dev.spindle.testkit.postgres.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import org.springframework.jdbc.datasource.embedded.EmbeddedDatabaseBuilder;
import org.springframework.jdbc.datasource.embedded.EmbeddedDatabaseType;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

/**
 * Enqueue inside the application's own transaction when the store is the application's PostgreSQL
 * (a real server from the testkit): the job's row is written on the transaction's connection, so
 * it commits with the order and a rollback leaves neither; other connections (the worker's) see
 * the job only after the commit. Another database's transactions fall back to after-commit.
 */
class PostgresTransactionalEnqueueTest {
  static final Duration WAIT = Duration.ofSeconds(30);
  static PostgresServer pg;
  static Path passwordFile;

  @TempDir
  static Path dir;

  @BeforeAll
  static void server() throws Exception {
    pg = PostgresServer.shared();
    passwordFile = Files.writeString(dir.resolve("pgpass"), pg.password() + "\n");
    Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));
  }

  /** The application's own data, in the same PostgreSQL database as the store (its own schema). */
  @Configuration(proxyBeanMethods = false)
  static class AppData {
    @Bean
    DataSource dataSource() {
      return new SimpleDriverDataSource(new org.postgresql.Driver(), pg.jdbcUrl("postgres"), pg.user(), pg.password());
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

  ApplicationContextRunner runner(String schema) {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SpindleAutoConfiguration.class))
        .withUserConfiguration(TestTasks.class, AppData.class)
        .withPropertyValues("spindle.store.location=" + pg.location() + "&schema=" + schema + "&passwordFile="
            + passwordFile, "spindle.worker.poll-interval=50ms", "spindle.worker.concurrency=1");
  }

  static long jobsInStore(StoreAdmin store) {
    return store.inspector().queueSummaries().stream()
        .mapToLong(q -> q.counts().values().stream().mapToLong(Long::longValue).sum()).sum();
  }

  @Test
  void theJobIsWrittenInTheApplicationsTransactionAndCommitsWithIt() {
    String schema = PostgresServer.newSchema("spring_tx");
    runner(schema).run(ctx -> {
      assertThat(ctx).hasNotFailed();
      JdbcTemplate jdbc = ctx.getBean(JdbcTemplate.class);
      jdbc.execute("create table " + schema + ".orders (id text primary key)");
      SpindleEnqueuer enqueuer = ctx.getBean(SpindleEnqueuer.class);
      StoreBackend store = ctx.getBean(StoreBackend.class);
      long before = jobsInStore(store);
      List<CompletableFuture<JobHandle<JsonNode>>> futures = new ArrayList<>();
      ctx.getBean(TransactionTemplate.class).executeWithoutResult(s -> {
        assertThat(enqueuer.writesInTransaction()).as("the store is the application's database").isTrue();
        jdbc.update("insert into " + schema + ".orders values ('order-1')");
        futures.add(enqueuer.enqueue("test.record", "pg order-1 confirmed"));
        // written on this transaction's connection: the store's own connections do not see it yet
        assertThat(jdbc.queryForObject("select count(*) from " + schema + ".spindle_jobs", Long.class))
            .isEqualTo(before + 1);
        assertThat(jobsInStore(store)).isEqualTo(before);
      });
      JobHandle<JsonNode> h = futures.get(0).join();
      h.await(WAIT);
      assertThat(ctx.getBean(TestTasks.Recorder.class).ran).contains("pg order-1 confirmed");
      assertThat(jobsInStore(store)).isEqualTo(before + 1);
    });
  }

  @Test
  void aRollbackLeavesNeitherTheRowNorTheJob() {
    String schema = PostgresServer.newSchema("spring_rb");
    runner(schema).run(ctx -> {
      JdbcTemplate jdbc = ctx.getBean(JdbcTemplate.class);
      jdbc.execute("create table " + schema + ".orders (id text primary key)");
      SpindleEnqueuer enqueuer = ctx.getBean(SpindleEnqueuer.class);
      StoreBackend store = ctx.getBean(StoreBackend.class);
      long before = jobsInStore(store);
      List<CompletableFuture<?>> futures = new ArrayList<>();
      assertThatThrownBy(() -> ctx.getBean(TransactionTemplate.class).executeWithoutResult(s -> {
        jdbc.update("insert into " + schema + ".orders values ('order-2')");
        futures.add(enqueuer.enqueue("test.record", "pg order-2 confirmed"));
        assertThat(jdbc.queryForObject("select count(*) from " + schema + ".spindle_jobs", Long.class))
            .isEqualTo(before + 1);
        throw new IllegalStateException("payment declined");
      })).hasMessage("payment declined");
      assertThat(futures).singleElement().matches(CompletableFuture::isCancelled);
      assertThat(jdbc.queryForObject("select count(*) from " + schema + ".orders", Long.class)).isZero();
      assertThat(jdbc.queryForObject("select count(*) from " + schema + ".spindle_jobs", Long.class)).isEqualTo(before);
      // the worker runs jobs in order (one slot): once a later job ran, a rolled-back one would have too
      enqueuer.enqueue("test.record", "pg marker").join().await(WAIT);
      assertThat(ctx.getBean(TestTasks.Recorder.class).ran).contains("pg marker").doesNotContain("pg order-2 confirmed");
    });
  }

  @Test
  void onlyADataSourceOfTheStoresOwnDatabaseWritesInTheTransaction() {
    runner(PostgresServer.newSchema("spring_ds")).withPropertyValues("spindle.worker.enabled=false").run(ctx -> {
      JobQueue queue = ctx.getBean(JobQueue.class);
      JdbcStoreEnqueue jdbc = new JdbcStoreEnqueue(queue);
      assertThat(jdbc.supports(queue.store(), ctx.getBean(DataSource.class))).isTrue();
      var h2 = new EmbeddedDatabaseBuilder().setType(EmbeddedDatabaseType.H2).generateUniqueName(true).build();
      try {
        assertThat(jdbc.supports(queue.store(), h2)).as("another database").isFalse();
      } finally {
        h2.shutdown();
      }
    });
  }
}
