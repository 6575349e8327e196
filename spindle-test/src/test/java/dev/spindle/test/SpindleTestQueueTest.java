package dev.spindle.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.PayloadException;
import dev.spindle.Task;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobState;
import dev.spindle.queue.RetryPolicy;
import dev.spindle.queue.Schedule;
import dev.spindle.queue.Workflow;
import dev.spindle.test.ShopTasks.Circle;
import dev.spindle.test.ShopTasks.Mail;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The plain API of the test queue: assertions, running due jobs, draining, moving time, inline runs. */
class SpindleTestQueueTest {
  private static final Mail WELCOME = new Mail("a@example.com", "Welcome");

  @Test
  void enqueueAssertAdvanceADayAndACronJobRanOncePerHour() {
    try (SpindleTestQueue spindle = SpindleTestQueue.of(ShopTasks.class)) {
      spindle.queue().addSchedule(Schedule.cron("hourly-report", "0 * * * *", ZoneOffset.UTC)
          .task(ShopTasks.REPORT, "sales").build());
      spindle.queue().enqueue(ShopTasks.SEND_MAIL, WELCOME);
      spindle.assertEnqueued(ShopTasks.SEND_MAIL, WELCOME);
      spindle.refuteEnqueued(ShopTasks.REPORT);

      List<JobInfo> ran = spindle.advance(Duration.ofDays(1));

      assertThat(spindle.now()).isEqualTo(SpindleTestQueue.DEFAULT_START.plus(Duration.ofDays(1)));
      assertThat(ran).allMatch(j -> j.state() == JobState.SUCCEEDED);
      List<JobInfo> reports = spindle.jobs(ShopTasks.REPORT);
      assertThat(reports).hasSize(24).allMatch(j -> j.state() == JobState.SUCCEEDED);
      assertThat(reports).extracting(JobInfo::startedAt)
          .containsExactlyElementsOf(hourly(SpindleTestQueue.DEFAULT_START.plus(Duration.ofHours(1)), 24));
      assertThat(spindle.jobs(ShopTasks.SEND_MAIL)).singleElement()
          .satisfies(j -> assertThat(j.startedAt()).isEqualTo(SpindleTestQueue.DEFAULT_START));
      spindle.refuteEnqueued(ShopTasks.SEND_MAIL);
    }
  }

  private static List<Instant> hourly(Instant first, int n) {
    return java.util.stream.IntStream.range(0, n).mapToObj(i -> first.plus(Duration.ofHours(i))).toList();
  }

  @Test
  void aDelayedJobDoesNotRunBeforeItsTime() {
    try (SpindleTestQueue spindle = SpindleTestQueue.of(ShopTasks.class)) {
      JobHandle<String> h = spindle.queue().enqueue(ShopTasks.SEND_MAIL, WELCOME,
          JobOptions.builder().delay(Duration.ofMinutes(10)).build());
      spindle.assertEnqueued(ShopTasks.SEND_MAIL, WELCOME, JobMatch.any().delay(Duration.ofMinutes(10)));

      assertThat(spindle.runDue()).isEmpty();
      assertThat(spindle.advance(Duration.ofMinutes(10).minusMillis(1))).isEmpty();
      assertThat(spindle.job(h.id()).state()).isEqualTo(JobState.SCHEDULED);

      assertThat(spindle.advance(Duration.ofMillis(1))).extracting(JobInfo::id).containsExactly(h.id());
      assertThat(spindle.result(h.id(), ShopTasks.SEND_MAIL)).isEqualTo("a@example.com");
      assertThat(spindle.job(h.id()).startedAt()).isEqualTo(SpindleTestQueue.DEFAULT_START.plus(Duration.ofMinutes(10)));
    }
  }

  @Test
  void aFailedJobIsRetriedAfterItsBackoffAndNotBefore() {
    AtomicInteger calls = new AtomicInteger();
    Task<String, String> charge = Task.of("shop.charge", String.class, String.class, order -> {
      if (calls.incrementAndGet() < 3) {
        throw new IllegalStateException("payment provider unavailable");
      }
      return "charged " + order;
    });
    RetryPolicy retry = RetryPolicy.builder().maxAttempts(5).initialDelay(Duration.ofSeconds(30)).multiplier(2)
        .jitter(0.5).build();
    try (SpindleTestQueue spindle = SpindleTestQueue.of(TaskRegistry.builder().add(charge).build())) {
      String id = spindle.queue().enqueue(charge, "o-1", JobOptions.builder().retry(retry).build()).id();
      Instant t0 = spindle.now();

      spindle.runDue();
      JobInfo first = spindle.job(id);
      assertThat(first.state()).isEqualTo(JobState.SCHEDULED);
      assertThat(first.failures()).isEqualTo(1);
      assertThat(first.runAt()).isEqualTo(t0.plusSeconds(30)); // no jitter: exactly the policy's delay
      assertThat(first.error().orElseThrow().message()).isEqualTo("payment provider unavailable");

      assertThat(spindle.advance(Duration.ofSeconds(29))).isEmpty();
      assertThat(calls).hasValue(1);
      spindle.advance(Duration.ofSeconds(1));
      assertThat(calls).hasValue(2);
      assertThat(spindle.job(id).runAt()).isEqualTo(t0.plusSeconds(30 + 60)); // the backoff doubled

      spindle.drain();
      assertThat(spindle.now()).isEqualTo(t0.plusSeconds(90));
      assertThat(spindle.result(id, charge)).isEqualTo("charged o-1");
      assertThat(spindle.job(id).attempt()).isEqualTo(3);
    }
  }

  @Test
  void assertionFailuresListWhatWasEnqueued() {
    try (SpindleTestQueue spindle = SpindleTestQueue.of(ShopTasks.class)) {
      assertThatThrownBy(() -> spindle.assertEnqueued(ShopTasks.SEND_MAIL, WELCOME))
          .isInstanceOf(AssertionError.class).hasMessageContaining("Nothing is enqueued.");

      spindle.queue().enqueue(ShopTasks.SEND_MAIL, new Mail("b@example.com", "Receipt"),
          JobOptions.builder().queue("mail").delay(Duration.ofMinutes(5)).build());
      spindle.queue().enqueue(ShopTasks.REPORT, "sales");

      assertThatThrownBy(() -> spindle.assertEnqueued(ShopTasks.SEND_MAIL, WELCOME))
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("expected at least one job of task 'shop.send-mail' with args "
              + "{\"to\":\"a@example.com\",\"subject\":\"Welcome\"} to be enqueued, but found 0")
          .hasMessageContaining("Enqueued (2):")
          .hasMessageContaining("shop.send-mail {\"to\":\"b@example.com\",\"subject\":\"Receipt\"} queue=mail "
              + "state=SCHEDULED delay=PT5M")
          .hasMessageContaining("shop.report \"sales\" queue=default state=QUEUED delay=PT0S");
      assertThatThrownBy(() -> spindle.refuteEnqueued(ShopTasks.REPORT))
          .isInstanceOf(AssertionError.class).hasMessageContaining("expected no job of task 'shop.report'")
          .hasMessageContaining("found 1");
      assertThatThrownBy(() -> spindle.refuteEnqueued(ShopTasks.REPORT, "sales"))
          .isInstanceOf(AssertionError.class).hasMessageContaining("with args \"sales\"");
      spindle.refuteEnqueued(ShopTasks.REPORT, "stock");
    }
  }

  @Test
  void matchesTakeQueueDelayAndCount() {
    try (SpindleTestQueue spindle = SpindleTestQueue.of(ShopTasks.class)) {
      JobOptions mail = JobOptions.builder().queue("mail").delay(Duration.ofMinutes(5)).build();
      spindle.queue().enqueue(ShopTasks.SEND_MAIL, WELCOME, mail);
      spindle.queue().enqueue(ShopTasks.SEND_MAIL, WELCOME, mail);

      spindle.assertEnqueued(ShopTasks.SEND_MAIL, WELCOME, JobMatch.any().queue("mail").count(2));
      spindle.assertEnqueued(ShopTasks.SEND_MAIL, WELCOME, JobMatch.any().delay(Duration.ofMinutes(5)));
      assertThatThrownBy(() -> spindle.assertEnqueued(ShopTasks.SEND_MAIL, WELCOME, JobMatch.any().count(1)))
          .isInstanceOf(AssertionError.class).hasMessageContaining("exactly 1 job").hasMessageContaining("found 2");
      assertThatThrownBy(() -> spindle.assertEnqueued(ShopTasks.SEND_MAIL, WELCOME, JobMatch.any().queue("default")))
          .isInstanceOf(AssertionError.class).hasMessageContaining("in queue 'default'");
      assertThatThrownBy(() -> spindle.assertEnqueued(ShopTasks.SEND_MAIL, WELCOME,
          JobMatch.any().delay(Duration.ofMinutes(1)))).isInstanceOf(AssertionError.class)
          .hasMessageContaining("delayed by PT1M");
      assertThatThrownBy(() -> JobMatch.any().count(0)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("refuteEnqueued");
    }
  }

  @Test
  void drainRunsAWorkflowToItsEnd() {
    Task<Long, Long> square = Task.of("math.square", Long.class, Long.class, x -> x * x);
    Task<Long, Long> plusOne = Task.of("math.plus-one", Long.class, Long.class, x -> x + 1);
    try (SpindleTestQueue spindle = SpindleTestQueue.of(TaskRegistry.builder().add(square).add(plusOne).build())) {
      var h = spindle.queue().submit(Workflow.chain(Workflow.task(square, 3L), Workflow.fromUpstream(plusOne),
          Workflow.fromUpstream(plusOne)));
      assertThat(spindle.enqueued()).hasSize(3);

      assertThat(spindle.drain()).hasSize(3);
      assertThat(spindle.result(h.last().get(0).id(), plusOne)).isEqualTo(11L);
      assertThat(spindle.enqueued()).isEmpty();
    }
  }

  @Test
  void drainStopsWithAClearErrorOnAJobThatKeepsEnqueueingItself() {
    AtomicReference<SpindleTestQueue> testQueue = new AtomicReference<>();
    AtomicReference<Task<Long, Long>> self = new AtomicReference<>();
    Task<Long, Long> poll = Task.of("shop.poll", Long.class, Long.class, n -> {
      testQueue.get().queue().enqueue(self.get(), n + 1, JobOptions.builder().delay(Duration.ofSeconds(1)).build());
      return n;
    });
    self.set(poll);
    try (SpindleTestQueue spindle = SpindleTestQueue.builder().registry(TaskRegistry.builder().add(poll).build())
        .maxJobs(50).build()) {
      testQueue.set(spindle);
      spindle.queue().enqueue(poll, 0L);
      assertThatThrownBy(spindle::drain).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("drain() ran 51 jobs, more than maxJobs (50)")
          .hasMessageContaining("task 'shop.poll' ran 51 times")
          .hasMessageContaining("never drains");
      assertThat(spindle.jobs(poll)).hasSize(52); // it stopped: the 52nd waits
    }
  }

  @Test
  void performRunsTheTaskWithTheJsonRoundTripOfAWorker() throws Exception {
    try (SpindleTestQueue spindle = SpindleTestQueue.of(ShopTasks.class)) {
      assertThat(spindle.perform(ShopTasks.SEND_MAIL, WELCOME)).isEqualTo("a@example.com");
      // called directly the task works; through JSON its input type (an interface) cannot be read back
      assertThat(ShopTasks.AREA.run(new Circle(1), null)).isEqualTo(Math.PI);
      assertThatThrownBy(() -> spindle.perform(ShopTasks.AREA, new Circle(1)))
          .isInstanceOf(PayloadException.class)
          .hasMessageContaining("arguments of task 'shop.area'")
          .hasMessageContaining(ShopTasks.Shape.class.getTypeName());
      assertThat(spindle.jobs()).isEmpty();
    }
  }

  @Test
  void jobsOfUnknownTasksAreDeadLetteredAsByAWorker() {
    try (SpindleTestQueue spindle = SpindleTestQueue.of(TaskRegistry.empty())) {
      String id = spindle.queue().enqueue("shop.gone", "{}").id();
      spindle.runDue();
      assertThat(spindle.job(id).state()).isEqualTo(JobState.DEAD);
      assertThat(spindle.job(id).deadReason()).isEqualTo(JobInfo.UNKNOWN_TASK);
      assertThatThrownBy(() -> spindle.result(id, ShopTasks.REPORT)).isInstanceOf(AssertionError.class)
          .hasMessageContaining("is DEAD");
    }
  }

  @Test
  void resetRemovesEveryJobButKeepsClockAndSchedules() {
    try (SpindleTestQueue spindle = SpindleTestQueue.of(ShopTasks.class)) {
      spindle.queue().addSchedule(Schedule.every("tick", Duration.ofMinutes(1)).task(ShopTasks.REPORT, "x").build());
      spindle.queue().enqueue(ShopTasks.SEND_MAIL, WELCOME, JobOptions.builder().delay(Duration.ofHours(1)).build());
      spindle.advance(Duration.ofMinutes(2));
      Instant now = spindle.now();
      spindle.reset();
      assertThat(spindle.jobs()).isEmpty();
      assertThat(spindle.now()).isEqualTo(now);
      assertThat(spindle.queue().schedules()).hasSize(1);
      assertThat(spindle.advance(Duration.ofMinutes(1))).hasSize(1);
    }
  }

  @Test
  void timeDoesNotGoBack() {
    try (SpindleTestQueue spindle = SpindleTestQueue.of(ShopTasks.class)) {
      assertThatThrownBy(() -> spindle.advance(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> spindle.advanceTo(spindle.now().minusSeconds(1)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("time does not go back");
    }
  }
}
