package dev.spindle.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.TaskContext;
import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobState;
import dev.spindle.queue.RetryPolicy;
import dev.spindle.queue.ScheduleInfo;
import dev.spindle.spring.SpindleEnqueuer;
import dev.spindle.spring.SpindleSchedule;
import dev.spindle.spring.SpindleTask;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.JsonNode;

/**
 * {@code @SpindleTask}'s options and {@code @SpindleSchedule} in real application contexts on a real
 * SQLite file: the options reach the stored jobs and the worker applies them, schedules are stored
 * and fire, and every mistake fails the start naming the bean, the method and the attribute.
 */
class SpindleTaskAnnotationTest {
  static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  Path dir;

  ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SpindleAutoConfiguration.class))
        .withPropertyValues("spindle.store.location=sqlite:" + dir.resolve("jobs.db"),
            "spindle.worker.poll-interval=50ms", "spindle.worker.concurrency=2",
            "spindle.worker.queues=default,payments");
  }

  /** Tasks with options. */
  static class Payments {
    final AtomicInteger flakyCalls = new AtomicInteger();
    final AtomicInteger refusedCalls = new AtomicInteger();

    @SpindleTask(name = "pay.charge", queue = "payments", maxAttempts = 5, timeout = "30s",
        backoffInitial = "PT0.01S", backoffMax = "50ms", backoffMultiplier = 3, backoffJitter = 0.1,
        retryOn = IOException.class, giveUpOn = IllegalArgumentException.class)
    public String charge(String order) {
      return "charged " + order;
    }

    /** Fails twice with an IOException (retried), then succeeds. */
    @SpindleTask(name = "pay.flaky", maxAttempts = 4, backoffInitial = "10ms", backoffMax = "20ms")
    public int flaky(int n, TaskContext ctx) throws IOException {
      flakyCalls.incrementAndGet();
      if (ctx.attempt() < 3) {
        throw new IOException("not yet");
      }
      return n * 2;
    }

    /** Refuses its input: given up on at once although 5 attempts are allowed. */
    @SpindleTask(name = "pay.refuse", maxAttempts = 5, backoffInitial = "10ms", backoffMax = "10ms",
        giveUpOn = IllegalArgumentException.class)
    public void refuse(String order) {
      refusedCalls.incrementAndGet();
      throw new IllegalArgumentException("bad order " + order);
    }

    @SpindleTask("pay.plain")
    public String plain(String s) {
      return s;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class PaymentsConfig {
    @Bean
    Payments payments() {
      return new Payments();
    }
  }

  @Test
  void declaredOptionsReachTheStoredJobAndTheRetryPolicy() {
    runner().withUserConfiguration(PaymentsConfig.class).withPropertyValues("spindle.worker.enabled=false")
        .run(ctx -> {
          assertThat(ctx).hasNotFailed();
          SpindleEnqueuer enqueuer = ctx.getBean(SpindleEnqueuer.class);
          JobInfo info = enqueuer.enqueue("pay.charge", "o-1").join().info().orElseThrow();
          assertThat(info.queue()).isEqualTo("payments");
          JobPolicy policy = info.policy();
          assertThat(policy.timeout()).isEqualTo(Duration.ofSeconds(30));
          RetryPolicy retry = policy.retry();
          assertThat(retry.maxAttempts()).isEqualTo(5);
          assertThat(retry.initialDelay()).isEqualTo(Duration.ofMillis(10));
          assertThat(retry.maxDelay()).isEqualTo(Duration.ofMillis(50));
          assertThat(retry.multiplier()).isEqualTo(3.0);
          assertThat(retry.jitter()).isEqualTo(0.1);
          assertThat(retry.retryOn()).containsExactly(IOException.class.getName());
          assertThat(retry.giveUpOn()).containsExactly(IllegalArgumentException.class.getName());
          // Undeclared options inherit the queue's defaults.
          JobInfo plain = enqueuer.enqueue("pay.plain", "x").join().info().orElseThrow();
          assertThat(plain.queue()).isEqualTo("default");
          assertThat(plain.policy()).isEqualTo(JobPolicy.defaults());
          // Explicit options are used as given.
          JobInfo explicit = enqueuer.enqueue("pay.charge", "o-2",
              dev.spindle.queue.JobOptions.builder().queue("other").build()).join().info().orElseThrow();
          assertThat(explicit.queue()).isEqualTo("other");
          assertThat(explicit.policy().retry().maxAttempts()).isEqualTo(3);
        });
  }

  @Test
  void theWorkerRetriesAndGivesUpAsDeclared() {
    runner().withUserConfiguration(PaymentsConfig.class).run(ctx -> {
      SpindleEnqueuer enqueuer = ctx.getBean(SpindleEnqueuer.class);
      Payments payments = ctx.getBean(Payments.class);
      JobHandle<JsonNode> flaky = enqueuer.enqueue("pay.flaky", 21).join();
      assertThat(flaky.result(WAIT).asInt()).isEqualTo(42);
      assertThat(payments.flakyCalls).hasValue(3);
      JobHandle<JsonNode> refused = enqueuer.enqueue("pay.refuse", "o-9").join();
      assertThat(refused.await(WAIT).state()).isEqualTo(JobState.FAILED);
      assertThat(payments.refusedCalls).hasValue(1);
      assertThat(enqueuer.enqueue("pay.charge", "o-3").join().result(WAIT).asString()).isEqualTo("charged o-3");
    });
  }

  /** Schedules on a task method and on a plain no-argument method. */
  static class Chores {
    final List<String> ran = new CopyOnWriteArrayList<>();

    @SpindleTask(name = "chores.report", queue = "payments", maxAttempts = 2)
    @SpindleSchedule(name = "nightly-report", cron = "30 2 * * *", zone = "Europe/Paris", args = "\"full\"")
    public void report(String kind) {
      ran.add("report " + kind);
    }

    @SpindleSchedule(every = "${test.sweep-every:200ms}")
    public void sweep() {
      ran.add("sweep");
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class ChoresConfig {
    @Bean
    Chores chores() {
      return new Chores();
    }
  }

  @Test
  void annotatedSchedulesAreStoredWithTheTaskOptionsAndFire() {
    runner().withUserConfiguration(ChoresConfig.class)
        .withPropertyValues("spindle.schedules.from-props.every=1h", "spindle.schedules.from-props.task=chores.report",
            "spindle.schedules.from-props.args=\"props\"")
        .run(ctx -> {
          assertThat(ctx).hasNotFailed();
          List<ScheduleInfo> schedules = ctx.getBean(JobQueue.class).schedules();
          assertThat(schedules).extracting(s -> s.schedule().name())
              .containsExactlyInAnyOrder("nightly-report", "chores.sweep", "from-props");
          ScheduleInfo nightly = schedules.stream().filter(s -> s.schedule().name().equals("nightly-report"))
              .findFirst().orElseThrow();
          assertThat(nightly.schedule().zone()).isEqualTo(ZoneId.of("Europe/Paris"));
          assertThat(nightly.schedule().describeTrigger()).contains("30 2 * * *");
          assertThat(nightly.schedule().task()).isEqualTo("chores.report");
          assertThat(nightly.schedule().argsJson()).isEqualTo("\"full\"");
          assertThat(nightly.schedule().jobOptions().queue()).isEqualTo("payments");
          assertThat(nightly.schedule().jobOptions().policy().retry().maxAttempts()).isEqualTo(2);
          // A property schedule of an annotated task gets the task's options too.
          ScheduleInfo props = schedules.stream().filter(s -> s.schedule().name().equals("from-props"))
              .findFirst().orElseThrow();
          assertThat(props.schedule().jobOptions().queue()).isEqualTo("payments");
          assertThat(ctx.getBean(dev.spindle.TaskRegistry.class).names()).contains("chores.report", "chores.sweep");
          await().atMost(WAIT).until(() -> ctx.getBean(Chores.class).ran.contains("sweep"));
        });
  }

  @Test
  void schedulesWithoutADeclaredQueueUseTheConfiguredDefaultQueue() {
    runner().withUserConfiguration(ChoresConfig.class)
        .withPropertyValues("spindle.queue.default-queue=bulk", "spindle.worker.enabled=false",
            "spindle.schedules.hourly.every=1h", "spindle.schedules.hourly.task=chores.sweep")
        .run(ctx -> {
          List<ScheduleInfo> schedules = ctx.getBean(JobQueue.class).schedules();
          assertThat(schedules).filteredOn(s -> s.schedule().name().equals("hourly")).singleElement()
              .satisfies(s -> assertThat(s.schedule().jobOptions().queue()).isEqualTo("bulk"));
          assertThat(schedules).filteredOn(s -> s.schedule().name().equals("chores.sweep")).singleElement()
              .satisfies(s -> assertThat(s.schedule().jobOptions().queue()).isEqualTo("bulk"));
        });
  }

  @Test
  void aScheduleNameDefinedTwiceFailsTheStartNamingBoth() {
    runner().withUserConfiguration(ChoresConfig.class)
        .withPropertyValues("spindle.schedules.nightly-report.every=1h", "spindle.schedules.nightly-report.task=x")
        .run(ctx -> {
          assertThat(ctx).hasFailed();
          assertThat(ctx.getStartupFailure()).satisfies(e -> assertMessageNaming(e, "schedule 'nightly-report'",
              "spindle.schedules.nightly-report", "Chores.report (bean 'chores')"));
        });
  }

  static class BadTimeout {
    @SpindleTask(name = "bad.timeout", timeout = "soon")
    public void run() {}
  }

  static class BadAttempts {
    @SpindleTask(name = "bad.attempts", maxAttempts = 2000)
    public void run() {}
  }

  static class BadQueue {
    @SpindleTask(name = "bad.queue", queue = "no spaces")
    public void run() {}
  }

  static class NoName {
    @SpindleTask(queue = "q")
    public void run() {}
  }

  static class BadBackoff {
    @SpindleTask(name = "bad.backoff", backoffInitial = "1h", backoffMax = "1m")
    public void run() {}
  }

  static class BadCron {
    @SpindleSchedule(cron = "every day", zone = "Europe/Paris")
    public void run() {}
  }

  static class BadZone {
    @SpindleSchedule(cron = "0 * * * *", zone = "Mars/Olympus")
    public void run() {}
  }

  static class CronAndEvery {
    @SpindleSchedule(cron = "0 * * * *", every = "5m")
    public void run() {}
  }

  static class ScheduledWithInput {
    @SpindleSchedule(every = "5m")
    public void run(String input) {}
  }

  @Test
  void wrongAttributesFailTheStartNamingTheBeanTheMethodAndTheAttribute() {
    expectFailure(BadTimeout.class, "@SpindleTask(\"bad.timeout\")", "timeout 'soon' is not a duration");
    expectFailure(BadAttempts.class, "@SpindleTask(\"bad.attempts\")", "maxAttempts: maxAttempts must be in 1..1000");
    expectFailure(BadQueue.class, "@SpindleTask(\"bad.queue\")", "queue: invalid queue name");
    expectFailure(NoName.class, "@SpindleTask on", "the task name (name or value) is required");
    expectFailure(BadBackoff.class, "@SpindleTask(\"bad.backoff\")", "shorter than initialDelay");
    expectFailure(BadCron.class, "@SpindleSchedule on", "every day");
    expectFailure(BadZone.class, "@SpindleSchedule on", "zone");
    expectFailure(CronAndEvery.class, "@SpindleSchedule on", "set exactly one of cron and every");
    expectFailure(ScheduledWithInput.class, "@SpindleSchedule on", "takes no parameter");
  }

  private void expectFailure(Class<?> type, String annotation, String problem) {
    runner().withBean("bad", type).run(ctx -> {
      assertThat(ctx).hasFailed();
      assertThat(ctx.getStartupFailure())
          .satisfies(e -> assertMessageNaming(e, annotation, type.getSimpleName() + ".run (bean 'bad')", problem));
    });
  }

  /** Some exception in the chain has a message with every part. */
  static void assertMessageNaming(Throwable failure, String... parts) {
    List<String> messages = new java.util.ArrayList<>();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      messages.add(String.valueOf(t.getMessage()));
    }
    assertThat(messages).anySatisfy(m -> assertThat(m).contains(parts));
  }
}
