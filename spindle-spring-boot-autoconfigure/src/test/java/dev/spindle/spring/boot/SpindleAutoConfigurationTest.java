package dev.spindle.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.spindle.TaskRegistry;
import dev.spindle.UnknownTaskException;
import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobState;
import dev.spindle.queue.JobStores;
import dev.spindle.queue.ScheduleInfo;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.spring.SpindleEnqueuer;
import dev.spindle.spring.SpindleTask;
import dev.spindle.spring.SpindleWorker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.JsonNode;

/**
 * The auto-configuration in real application contexts (Spring Boot's ApplicationContextRunner) on a
 * real SQLite file: beans, declared tasks, the worker's life cycle, schedules, health, and start-up
 * without Actuator or spring-tx on the class path.
 */
class SpindleAutoConfigurationTest {
  static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  Path dir;

  ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SpindleAutoConfiguration.class,
            SpindleHealthAutoConfiguration.class, SpindleDashboardAutoConfiguration.class))
        .withUserConfiguration(TestTasks.class)
        .withPropertyValues("spindle.store.location=sqlite:" + dir.resolve("jobs.db"),
            "spindle.worker.poll-interval=50ms", "spindle.worker.heartbeat-interval=100ms",
            "spindle.worker.lease-duration=2s", "spindle.worker.concurrency=2");
  }

  @Test
  void contextStartsWithBeansAndRunsEveryKindOfDeclaredTask() {
    runner().run(ctx -> {
      assertThat(ctx).hasNotFailed().hasSingleBean(JobStore.class).hasSingleBean(JobQueue.class)
          .hasSingleBean(SpindleEnqueuer.class).hasSingleBean(SpindleWorker.class)
          .hasSingleBean(HealthIndicator.class);
      TaskRegistry registry = ctx.getBean(TaskRegistry.class);
      assertThat(registry.names()).containsExactlyInAnyOrder("test.upper", "test.square", "test.record",
          "test.sum", "test.noinput", "test.block");
      assertThat(ctx.getBean(SpindleWorker.class).isRunning()).isTrue();
      SpindleEnqueuer enqueuer = ctx.getBean(SpindleEnqueuer.class);

      JobHandle<String> upper = enqueuer.enqueue(TestTasks.UPPER, "hello").join();
      assertThat(upper.result(WAIT)).isEqualTo("HELLO");
      JobHandle<Integer> square = enqueuer.enqueue(TestTasks.SQUARE, 12).join();
      assertThat(square.result(WAIT)).isEqualTo(144);
      JobHandle<JsonNode> sum = enqueuer.enqueue("test.sum", List.of(1L, 2L, 39L)).join();
      assertThat(sum.result(WAIT).asLong()).isEqualTo(42);
      JobHandle<JsonNode> none = enqueuer.enqueueJson("test.noinput", "null").join();
      assertThat(none.result(WAIT).asString()).isEqualTo("ok");
      enqueuer.enqueue("test.record", "recorded").join().await(WAIT);
      assertThat(ctx.getBean(TestTasks.Recorder.class).ran).contains("recorded");
    });
  }

  @Test
  void onlyDeclaredTasksCanBeEnqueued() {
    runner().withPropertyValues("spindle.worker.enabled=false").run(ctx -> {
      SpindleEnqueuer enqueuer = ctx.getBean(SpindleEnqueuer.class);
      assertThatThrownBy(() -> enqueuer.enqueue("not.declared", "x"))
          .isInstanceOf(UnknownTaskException.class).hasMessageContaining("not.declared");
      assertThatThrownBy(() -> ctx.getBean(JobQueue.class).enqueue("evil.task", "{}"))
          .isInstanceOf(UnknownTaskException.class);
    });
  }

  @Test
  void workerCanBeSwitchedOffAndJobsThenWait() {
    runner().withPropertyValues("spindle.worker.enabled=false").run(ctx -> {
      assertThat(ctx).doesNotHaveBean(SpindleWorker.class);
      JobHandle<String> h = ctx.getBean(SpindleEnqueuer.class).enqueue(TestTasks.UPPER, "later").join();
      assertThat(h.state()).isEqualTo(JobState.QUEUED);
    });
  }

  @Test
  void wrongTaskMethodFailsTheStartNamingTheMethod() {
    runner().withUserConfiguration(BadTaskConfig.class).run(ctx -> {
      assertThat(ctx).hasFailed();
      assertThat(ctx.getStartupFailure()).rootCause()
          .hasMessageContaining("@SpindleTask(\"bad.task\")").hasMessageContaining("BadTask.run")
          .hasMessageContaining("second parameter must be the TaskContext");
    });
  }

  @Test
  void wrongPropertyFailsTheStartNamingIt() {
    runner().withPropertyValues("spindle.schedules.bad.task=test.record").run(ctx -> {
      assertThat(ctx).hasFailed();
      assertThat(ctx.getStartupFailure()).rootCause().hasMessageContaining("spindle.schedules.bad")
          .hasMessageContaining("exactly one of cron and every");
    });
    runner().withPropertyValues("spindle.worker.concurrency=0").run(ctx -> {
      assertThat(ctx).hasFailed();
      assertThat(ctx.getStartupFailure()).rootCause().hasMessageContaining("concurrency must be in 1..10000");
    });
    runner().withPropertyValues("spindle.store.location=nosuch:jobs").run(ctx -> {
      assertThat(ctx).hasFailed();
      assertThat(ctx.getStartupFailure()).hasStackTraceContaining("spindle.store.location")
          .hasStackTraceContaining("nosuch");
    });
    runner().withPropertyValues("spindle.worker.lease-duration=not-a-duration").run(ctx -> {
      assertThat(ctx).hasFailed();
      assertThat(ctx.getStartupFailure()).hasStackTraceContaining("spindle.worker.lease-duration");
    });
  }

  @Test
  void schedulesFromPropertiesAreStoredAndFire() {
    runner().withPropertyValues("spindle.schedules.nightly.cron=30 2 * * *",
        "spindle.schedules.nightly.zone=Europe/Berlin", "spindle.schedules.nightly.task=test.record",
        "spindle.schedules.nightly.args=\"nightly\"",
        "spindle.schedules.often.every=200ms", "spindle.schedules.often.task=test.record",
        "spindle.schedules.often.args=\"often\"").run(ctx -> {
          assertThat(ctx).hasNotFailed();
          List<ScheduleInfo> schedules = ctx.getBean(JobQueue.class).schedules();
          assertThat(schedules).extracting(s -> s.schedule().name()).contains("nightly", "often");
          assertThat(schedules).filteredOn(s -> s.schedule().name().equals("nightly"))
              .singleElement().satisfies(s -> assertThat(s.schedule().describeTrigger()).contains("30 2 * * *"));
          await().atMost(WAIT).until(() -> ctx.getBean(TestTasks.Recorder.class).ran.contains("often"));
        });
  }

  @Test
  void workerStopsGracefullyWithTheContextLettingARunningJobFinish() throws Exception {
    AtomicReference<String> jobId = new AtomicReference<>();
    runner().withPropertyValues("spindle.worker.shutdown-grace=25s").run(ctx -> {
      TestTasks.Recorder recorder = ctx.getBean(TestTasks.Recorder.class);
      JobHandle<JsonNode> h = ctx.getBean(SpindleEnqueuer.class).enqueue("test.block", "g1").join();
      jobId.set(h.id());
      assertThat(recorder.blockedStarted.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      Thread closer = new Thread(ctx::close, "closer");
      closer.start();
      // The context's stop waits for the worker, which waits for the running job.
      await().atMost(WAIT).until(() -> !ctx.getBean(SpindleWorker.class).isRunning());
      assertThat(closer.isAlive()).isTrue();
      recorder.open("g1");
      closer.join(WAIT.toMillis());
      assertThat(closer.isAlive()).isFalse();
      assertThat(recorder.ran).contains("block:g1:true");
    });
    try (StoreBackend store = JobStores.open("sqlite:" + dir.resolve("jobs.db"))) {
      JobInfo info = store.find(jobId.get()).orElseThrow();
      assertThat(info.state()).isEqualTo(JobState.SUCCEEDED);
    }
  }

  @Test
  void aJobStillRunningAfterTheGraceIsHandedBackNotLost() throws Exception {
    AtomicReference<String> jobId = new AtomicReference<>();
    runner().withPropertyValues("spindle.worker.shutdown-grace=200ms").run(ctx -> {
      TestTasks.Recorder recorder = ctx.getBean(TestTasks.Recorder.class);
      jobId.set(ctx.getBean(SpindleEnqueuer.class).enqueue("test.block", "never").join().id());
      assertThat(recorder.blockedStarted.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      ctx.close();
    });
    try (StoreBackend store = JobStores.open("sqlite:" + dir.resolve("jobs.db"))) {
      assertThat(store.find(jobId.get()).orElseThrow().state()).isEqualTo(JobState.QUEUED);
    }
  }

  @Test
  void healthIsUpWithALongQueueAndDownWhenTheStoreIsGone() {
    runner().withPropertyValues("spindle.worker.enabled=false").run(ctx -> {
      SpindleEnqueuer enqueuer = ctx.getBean(SpindleEnqueuer.class);
      for (int i = 0; i < 2_000; i++) {
        enqueuer.enqueue(TestTasks.SQUARE, i);
      }
      HealthIndicator health = ctx.getBean("spindleHealthIndicator", HealthIndicator.class);
      assertThat(health.health().getStatus()).isEqualTo(Status.UP);
      assertThat(health.health().getDetails()).containsEntry("worker", "none (spindle.worker.enabled=false)");
      ctx.getBean(JobStore.class).close();
      assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
      assertThat(health.health().getDetails()).containsKey("storeError");
    });
  }

  @Test
  void healthReportsTheRunningWorker() {
    runner().run(ctx -> {
      HealthIndicator health = ctx.getBean("spindleHealthIndicator", HealthIndicator.class);
      assertThat(health.health().getStatus()).isEqualTo(Status.UP);
      assertThat((String) health.health().getDetails().get("worker")).startsWith("spring@");
    });
  }

  @Test
  void startsAndWorksWithoutActuatorOnTheClassPath() {
    runner().withClassLoader(new FilteredClassLoader("org.springframework.boot.health")).run(ctx -> {
      assertThat(ctx).hasNotFailed().doesNotHaveBean("spindleHealthIndicator").hasSingleBean(SpindleWorker.class);
      JobHandle<String> h = ctx.getBean(SpindleEnqueuer.class).enqueue(TestTasks.UPPER, "no actuator").join();
      assertThat(h.result(WAIT)).isEqualTo("NO ACTUATOR");
    });
  }

  @Test
  void startsAndEnqueuesAtOnceWithoutSpringTx() {
    runner().withClassLoader(new FilteredClassLoader("org.springframework.transaction",
        "org.springframework.jdbc", "org.springframework.boot.health")).run(ctx -> {
          assertThat(ctx).hasNotFailed();
          JobHandle<Integer> h = ctx.getBean(SpindleEnqueuer.class).enqueue(TestTasks.SQUARE, 7).join();
          assertThat(h.result(WAIT)).isEqualTo(49);
        });
  }

  @Test
  void spindleCanBeSwitchedOff() {
    runner().withPropertyValues("spindle.enabled=false").run(ctx -> {
      assertThat(ctx).hasNotFailed().doesNotHaveBean(JobQueue.class).doesNotHaveBean(JobStore.class);
    });
  }

  @Configuration(proxyBeanMethods = false)
  static class BadTaskConfig {
    @Bean
    BadTask badTask() {
      return new BadTask();
    }
  }

  static class BadTask {
    @SpindleTask("bad.task")
    public String run(String a, String b) {
      return a + b;
    }
  }
}
