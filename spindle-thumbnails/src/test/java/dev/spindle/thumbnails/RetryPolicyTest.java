package dev.spindle.thumbnails;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  @Test
  void backoffGrowsAndIsCapped() {
    RetryPolicy p = new RetryPolicy(5, Duration.ofMillis(100), Duration.ofMillis(350), 2.0, 0.0);
    assertThat(p.backoff(1, 0.5, null)).isEqualTo(Duration.ofMillis(100));
    assertThat(p.backoff(2, 0.5, null)).isEqualTo(Duration.ofMillis(200));
    assertThat(p.backoff(3, 0.5, null)).isEqualTo(Duration.ofMillis(350));
  }

  @Test
  void jitterSpreadsWaitsSymmetricallyWithinTheCapAsTheQueuesPolicyDoes() {
    RetryPolicy p = new RetryPolicy(3, Duration.ofMillis(100), Duration.ofMillis(120), 2.0, 0.5);
    assertThat(p.backoff(1, 0.0, null)).isEqualTo(Duration.ofMillis(50));
    assertThat(p.backoff(1, 0.5, null)).isEqualTo(Duration.ofMillis(100));
    assertThat(p.backoff(1, 0.999, null)).as("capped").isEqualTo(Duration.ofMillis(120));
    dev.spindle.queue.RetryPolicy queue = dev.spindle.queue.RetryPolicy.builder().initialDelay(Duration.ofMillis(100))
        .maxDelay(Duration.ofMillis(120)).jitter(0.5).build();
    for (double r : new double[] {0.0, 0.25, 0.5, 0.999}) {
      assertThat(p.backoff(1, r, null).toMillis()).isEqualTo(queue.backoff(1, r).toMillis());
    }
  }

  @Test
  void retryAfterIsHonouredUpToTheCap() {
    RetryPolicy p = RetryPolicy.defaults();
    assertThat(p.backoff(1, 0.3, Duration.ofSeconds(2))).isEqualTo(Duration.ofSeconds(2));
    assertThat(p.backoff(1, 0.3, Duration.ofMinutes(5))).isEqualTo(p.maxBackoff());
  }

  @Test
  void invalidSettingsSayWhatIsWrong() {
    assertThatThrownBy(() -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO, 2, 0)).hasMessageContaining("maxAttempts");
    assertThatThrownBy(() -> new RetryPolicy(3, Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 0))
        .hasMessageContaining("initialBackoff <= maxBackoff");
    assertThatThrownBy(() -> new RetryPolicy(3, Duration.ZERO, Duration.ZERO, 2, 1.5)).hasMessageContaining("jitter");
  }
}
