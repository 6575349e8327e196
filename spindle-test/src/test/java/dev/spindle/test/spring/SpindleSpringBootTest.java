package dev.spindle.test.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobState;
import dev.spindle.queue.Schedule;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.spring.SpindleWorker;
import dev.spindle.test.JobMatch;
import dev.spindle.test.ShopTasks;
import dev.spindle.test.ShopTasks.Mail;
import dev.spindle.test.SpindleTestQueue;
import java.time.Duration;
import java.time.ZoneOffset;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * {@link AutoConfigureSpindleTest} in a Spring Boot test of an application with the Spindle starter:
 * its queue is the test queue's, its tasks and cron schedule are the test queue's, no worker runs,
 * and each test starts with no jobs although the context is shared.
 */
@SpringBootTest(classes = SpindleSpringBootTest.ShopApplication.class)
@AutoConfigureSpindleTest
class SpindleSpringBootTest {
  /** The application: a signup service enqueueing a welcome mail, its tasks and an hourly report. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class ShopApplication {
    @Bean
    ShopTasks shopTasks() {
      return new ShopTasks();
    }

    @Bean
    Schedule hourlyReport() {
      return Schedule.cron("hourly-report", "0 * * * *", ZoneOffset.UTC).task(ShopTasks.REPORT, "sales").build();
    }

    @Bean
    Signups signups(JobQueue queue) {
      return new Signups(queue);
    }
  }

  /** Application code that enqueues. */
  record Signups(JobQueue queue) {
    void signUp(String email) {
      queue.enqueue(ShopTasks.SEND_MAIL, new Mail(email, "Welcome"),
          JobOptions.builder().queue("mail").delay(Duration.ofMinutes(5)).build());
    }
  }

  @Autowired
  SpindleTestQueue spindle;
  @Autowired
  Signups signups;
  @Autowired
  JobQueue queue;
  @Autowired
  JobStore store;
  @Autowired
  ApplicationContext context;

  @BeforeEach
  void everyTestStartsWithoutJobs() {
    assertThat(spindle.jobs()).isEmpty();
  }

  @Test
  void theApplicationsQueueAndStoreAreTheTestQueuesAndNoWorkerRuns() {
    assertThat(queue).isSameAs(spindle.queue());
    assertThat(store).isSameAs(spindle.store());
    assertThat(context.getBeansOfType(SpindleWorker.class)).isEmpty();
    assertThat(spindle.registry().names()).contains(ShopTasks.SEND_MAIL.name(), ShopTasks.REPORT.name());
    assertThat(queue.schedules()).extracting(s -> s.schedule().name()).containsExactly("hourly-report");
    signups.signUp("left@example.com"); // removed after this test: the other test starts without it
  }

  @Test
  void enqueueAssertAdvanceADayAndTheApplicationsCronScheduleRan() {
    signups.signUp("a@example.com");
    Mail welcome = new Mail("a@example.com", "Welcome");
    spindle.assertEnqueued(ShopTasks.SEND_MAIL, welcome, JobMatch.any().queue("mail").delay(Duration.ofMinutes(5)));
    assertThat(spindle.runDue()).isEmpty();

    spindle.advance(Duration.ofDays(1));

    spindle.refuteEnqueued(ShopTasks.SEND_MAIL);
    assertThat(spindle.jobs(ShopTasks.SEND_MAIL)).singleElement()
        .satisfies(j -> assertThat(j.state()).isEqualTo(JobState.SUCCEEDED));
    assertThat(spindle.jobs(ShopTasks.REPORT)).hasSize(24).extracting(JobInfo::state).containsOnly(JobState.SUCCEEDED);
    assertThat(spindle.jobs(ShopTasks.REPORT).get(0).argsJson()).isEqualTo("\"sales\"");
  }
}
