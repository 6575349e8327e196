package dev.spindle.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobOptions;
import dev.spindle.test.ShopTasks.Mail;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code @RegisterExtension} with settings of the test's own. */
class SpindleExtensionRegisteredTest {
  @RegisterExtension
  static final SpindleExtension SPINDLE = SpindleExtension.with(() -> SpindleTestQueue.builder()
      .registry(TaskRegistry.of(ShopTasks.class)).maxJobs(1));

  @Test
  void usesTheGivenSettings(SpindleTestQueue spindle) {
    Mail mail = new Mail("a@example.com", "Hi");
    spindle.queue().enqueue(ShopTasks.SEND_MAIL, mail, JobOptions.builder().delay(Duration.ofSeconds(5)).build());
    assertThat(spindle.drain()).hasSize(1);
    assertThat(spindle.now()).isEqualTo(SpindleTestQueue.DEFAULT_START.plusSeconds(5));
    spindle.queue().enqueue(ShopTasks.SEND_MAIL, mail);
    spindle.queue().enqueue(ShopTasks.SEND_MAIL, mail);
    assertThatThrownBy(spindle::runDue).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("more than maxJobs (1)");
  }
}
