package dev.spindle.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.TaskContext;
import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.StoreAdmin;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.spring.SpindleEnqueuer;
import dev.spindle.spring.SpindleTask;
import dev.spindle.spring.SpindleTasks;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.embedded.EmbeddedDatabase;
import org.springframework.jdbc.datasource.embedded.EmbeddedDatabaseBuilder;
import org.springframework.jdbc.datasource.embedded.EmbeddedDatabaseType;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Typed enqueue ({@link SpindleTasks}) in real application contexts on a real SQLite file: through
 * an interface implemented by a record, through a bean class, injected as
 * {@code SpindleTasks<T>}; typed results, per-call options, the caller's transaction, and clear
 * errors for calls that are not task calls.
 */
class SpindleTasksTest {
  static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  Path dir;

  ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SpindleAutoConfiguration.class))
        .withUserConfiguration(Config.class)
        .withPropertyValues("spindle.store.location=sqlite:" + dir.resolve("jobs.db"),
            "spindle.worker.poll-interval=50ms", "spindle.worker.concurrency=2",
            "spindle.worker.queues=default,billing");
  }

  record Charge(String orderId, long cents) {}

  record Receipt(String orderId, long cents, String by) {}

  /** Task methods declared on an interface. */
  interface Billing {
    @SpindleTask(name = "billing.charge", queue = "billing", maxAttempts = 4)
    Receipt charge(Charge charge);

    @SpindleTask("billing.count")
    int count(List<String> items, TaskContext ctx);

    @SpindleTask("billing.note")
    void note(String text);

    /** Not a task. */
    String describe();
  }

  /** A record implementing the interface: no subclass stand-in could be made of it. */
  record RecordBilling(List<String> notes) implements Billing {
    @Override
    public Receipt charge(Charge charge) {
      return new Receipt(charge.orderId(), charge.cents(), "record");
    }

    @Override
    public int count(List<String> items, TaskContext ctx) {
      return items.size();
    }

    @Override
    public void note(String text) {
      notes.add(text);
    }

    @Override
    public String describe() {
      return "billing";
    }
  }

  /** Task methods on a plain bean class. */
  static class Mailer {
    final List<String> sent = new CopyOnWriteArrayList<>();

    @SpindleTask("mail.send")
    public String send(String to) {
      sent.add(to);
      return "sent to " + to;
    }

    public String notATask(String to) {
      return to;
    }
  }

  /** A bean injecting the typed clients. */
  static class Checkout {
    @Autowired
    SpindleTasks<Billing> billing;
    @Autowired
    SpindleTasks<Mailer> mailer;
  }

  @Configuration(proxyBeanMethods = false)
  static class Config {
    @Bean
    RecordBilling billing() {
      return new RecordBilling(new CopyOnWriteArrayList<>());
    }

    @Bean
    Mailer mailer() {
      return new Mailer();
    }

    @Bean
    Checkout checkout() {
      return new Checkout();
    }
  }

  @Test
  void typedEnqueueThroughAnInterfaceRunsTheTaskAndReturnsATypedHandle() {
    runner().run(ctx -> {
      assertThat(ctx).hasNotFailed();
      SpindleTasks<Billing> billing = ctx.getBean(Checkout.class).billing;
      JobHandle<Receipt> receipt = billing.enqueue(t -> t.charge(new Charge("o-1", 1250))).join();
      assertThat(receipt.result(WAIT)).isEqualTo(new Receipt("o-1", 1250, "record"));
      JobInfo info = receipt.info().orElseThrow();
      assertThat(info.task()).isEqualTo("billing.charge");
      assertThat(info.queue()).isEqualTo("billing");
      assertThat(info.policy().retry().maxAttempts()).isEqualTo(4);
      assertThat(info.argsJson()).contains("\"orderId\":\"o-1\"").contains("\"cents\":1250");

      JobHandle<Integer> count = billing.enqueue(t -> t.count(List.of("a", "b", "c"), null)).join();
      assertThat(count.result(WAIT)).isEqualTo(3);

      JobHandle<Void> note = billing.enqueueVoid(t -> t.note("hello")).join();
      assertThat(note.await(WAIT).state()).isEqualTo(JobState.SUCCEEDED);
      assertThat(ctx.getBean(RecordBilling.class).notes()).containsExactly("hello");
    });
  }

  @Test
  void typedEnqueueThroughABeanClassAndFromTheEnqueuer() {
    runner().run(ctx -> {
      SpindleTasks<Mailer> injected = ctx.getBean(Checkout.class).mailer;
      SpindleTasks<Mailer> mailer = ctx.getBean(SpindleEnqueuer.class).tasks(Mailer.class);
      assertThat(injected.type()).isEqualTo(Mailer.class);
      JobHandle<String> sent = mailer.enqueue(m -> m.send("ann@example.com")).join();
      assertThat(sent.result(WAIT)).isEqualTo("sent to ann@example.com");
      assertThat(injected.enqueue(m -> m.send("bob@example.com")).join().result(WAIT))
          .isEqualTo("sent to bob@example.com");
      assertThat(ctx.getBean(Mailer.class).sent).containsExactly("ann@example.com", "bob@example.com");
    });
  }

  @Test
  void perCallOptionsDelayAndDeduplicate() {
    runner().withPropertyValues("spindle.worker.enabled=false").run(ctx -> {
      SpindleTasks<Billing> billing = ctx.getBean(Checkout.class).billing;
      Instant before = Instant.now();
      JobHandle<Receipt> later = billing.enqueue(t -> t.charge(new Charge("o-2", 5)),
          o -> o.delay(Duration.ofHours(1)).uniqueKey("charge-o-2")).join();
      JobInfo info = later.info().orElseThrow();
      assertThat(info.runAt()).isAfterOrEqualTo(before.plus(Duration.ofHours(1)));
      assertThat(info.queue()).isEqualTo("billing"); // the declared options stay unless changed
      JobHandle<Receipt> again = billing.enqueue(t -> t.charge(new Charge("o-2", 5)),
          o -> o.uniqueKey("charge-o-2")).join();
      assertThat(again.id()).isEqualTo(later.id());
      assertThat(again.isNew()).isFalse();
      JobHandle<Receipt> elsewhere = billing.enqueue(t -> t.charge(new Charge("o-3", 5)), o -> o.queue("other"))
          .join();
      assertThat(elsewhere.info().orElseThrow().queue()).isEqualTo("other");
    });
  }

  @Test
  void callsThatAreNotOneTaskCallAreClearErrors() {
    runner().withPropertyValues("spindle.worker.enabled=false").run(ctx -> {
      SpindleTasks<Billing> billing = ctx.getBean(Checkout.class).billing;
      SpindleTasks<Mailer> mailer = ctx.getBean(Checkout.class).mailer;
      long before = jobs(ctx.getBean(StoreBackend.class));
      assertThatThrownBy(() -> billing.enqueue(Billing::describe)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Billing.describe is not a @SpindleTask method");
      assertThatThrownBy(() -> mailer.enqueue(m -> m.notATask("x"))).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Mailer.notATask is not a @SpindleTask method");
      assertThatThrownBy(() -> billing.enqueue(t -> t.count(List.of(), null) + t.count(List.of(), null)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("called two methods");
      assertThatThrownBy(() -> billing.enqueue(t -> "nothing")).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("called no method");
      assertThatThrownBy(() -> billing.enqueueVoid(t -> t.charge(new Charge("o", 1))))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not void");
      SpindleEnqueuer enqueuer = ctx.getBean(SpindleEnqueuer.class);
      assertThatThrownBy(() -> enqueuer.tasks(RecordBilling.class)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("is final").hasMessageContaining("interface");
      assertThatThrownBy(() -> enqueuer.tasks(Checkout.class)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("declares no @SpindleTask method");
      assertThat(jobs(ctx.getBean(StoreBackend.class))).isEqualTo(before);
    });
  }

  /** The application's data source and transactions (an embedded H2 database). */
  @Configuration(proxyBeanMethods = false)
  static class Transactions {
    @Bean(destroyMethod = "shutdown")
    EmbeddedDatabase dataSource() {
      return new EmbeddedDatabaseBuilder().setType(EmbeddedDatabaseType.H2).generateUniqueName(true).build();
    }

    @Bean
    DataSourceTransactionManager transactionManager(DataSource ds) {
      return new DataSourceTransactionManager(ds);
    }

    @Bean
    TransactionTemplate transactionTemplate(PlatformTransactionManager tm) {
      return new TransactionTemplate(tm);
    }
  }

  @Test
  void typedEnqueueFollowsTheTransaction() {
    runner().withUserConfiguration(Transactions.class).withPropertyValues("spindle.worker.enabled=false")
        .run(ctx -> {
          SpindleTasks<Mailer> mailer = ctx.getBean(Checkout.class).mailer;
          TransactionTemplate tx = ctx.getBean(TransactionTemplate.class);
          StoreBackend store = ctx.getBean(StoreBackend.class);
          long before = jobs(store);
          CompletableFuture<JobHandle<String>> rolledBack = tx.execute(s -> {
            CompletableFuture<JobHandle<String>> f = mailer.enqueue(m -> m.send("never"));
            s.setRollbackOnly();
            return f;
          });
          assertThat(rolledBack).isCancelled();
          assertThat(jobs(store)).isEqualTo(before);
          CompletableFuture<JobHandle<String>> committed = tx.execute(s -> {
            CompletableFuture<JobHandle<String>> f = mailer.enqueue(m -> m.send("after commit"));
            assertThat(f).isNotDone();
            return f;
          });
          assertThat(committed).isCompleted();
          assertThat(committed.join().state()).isEqualTo(JobState.QUEUED);
          assertThat(jobs(store)).isEqualTo(before + 1);
        });
  }

  static long jobs(StoreAdmin store) {
    return TransactionalEnqueueTest.jobsInStore(store);
  }
}
