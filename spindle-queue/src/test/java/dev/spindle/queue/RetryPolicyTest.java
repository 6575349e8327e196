package dev.spindle.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.queue.internal.ErrorTypes;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private static final RetryPolicy EXP = RetryPolicy.builder().maxAttempts(10).initialDelay(Duration.ofSeconds(1))
      .multiplier(2).maxDelay(Duration.ofSeconds(30)).jitter(0).build();

  @Test
  void backoffGrowsExponentiallyUpToTheCap() {
    assertThat(EXP.backoff(1, 0.5)).isEqualTo(Duration.ofSeconds(1));
    assertThat(EXP.backoff(2, 0.5)).isEqualTo(Duration.ofSeconds(2));
    assertThat(EXP.backoff(5, 0.5)).isEqualTo(Duration.ofSeconds(16));
    assertThat(EXP.backoff(6, 0.5)).isEqualTo(Duration.ofSeconds(30));
    assertThat(EXP.backoff(60, 0.5)).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void jitterSpreadsTheDelaySymmetricallyWithinTheCap() {
    RetryPolicy p = EXP.toBuilder().jitter(0.5).build();
    assertThat(p.backoff(2, 0.0)).isEqualTo(Duration.ofSeconds(1));
    assertThat(p.backoff(2, 0.5)).isEqualTo(Duration.ofSeconds(2));
    assertThat(p.backoff(2, 0.999999)).isEqualTo(Duration.ofSeconds(3));
    assertThat(p.backoff(10, 0.999999)).as("capped").isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void attemptsAreCounted() {
    RetryPolicy p = RetryPolicy.builder().maxAttempts(3).build();
    Set<String> types = ErrorTypes.of(new IllegalStateException());
    assertThat(p.shouldRetry(1, types)).isTrue();
    assertThat(p.shouldRetry(2, types)).isTrue();
    assertThat(p.shouldRetry(3, types)).isFalse();
    assertThat(RetryPolicy.none().shouldRetry(1, types)).isFalse();
  }

  @Test
  void rulesMatchTheExceptionTypeAndItsSupertypes() {
    RetryPolicy p = RetryPolicy.builder().maxAttempts(5).retryOn(RuntimeException.class)
        .giveUpOn(IllegalArgumentException.class).build();
    assertThat(p.shouldRetry(1, ErrorTypes.of(new IllegalStateException()))).isTrue();
    assertThat(p.shouldRetry(1, ErrorTypes.of(new NumberFormatException()))).as("subclass of give-up type")
        .isFalse();
    assertThat(p.shouldRetry(1, ErrorTypes.of(new Exception()))).as("not a retry-on type").isFalse();
    assertThat(p.shouldRetry(1, ErrorTypes.of(new UncheckedIOException("x", new java.io.IOException())))).isTrue();
  }

  @Test
  void remoteExceptionsMatchByTheirRemoteType() {
    var remote = new dev.spindle.RemoteTaskException("java.lang.IllegalArgumentException", "bad", java.util.List.of(),
        null);
    assertThat(ErrorTypes.of(remote)).contains("java.lang.IllegalArgumentException", "java.lang.RuntimeException");
    var unknown = new dev.spindle.RemoteTaskException("com.example.Missing", "x", java.util.List.of(), null);
    assertThat(ErrorTypes.of(unknown)).containsExactly("com.example.Missing");
    assertThat(ErrorTypes.of(new dev.spindle.TaskFailedException("t", "1", new IllegalStateException())))
        .contains(IllegalStateException.class.getName()).doesNotContain(dev.spindle.TaskFailedException.class.getName());
  }

  @Test
  void policyRoundTripsThroughJson() {
    RetryPolicy p = RetryPolicy.builder().maxAttempts(7).initialDelay(Duration.ofMillis(250)).multiplier(1.5)
        .maxDelay(Duration.ofMinutes(3)).jitter(0.3).retryOn(IllegalStateException.class)
        .giveUpOnNames(Set.of("com.example.Fatal")).build();
    assertThat(RetryPolicy.fromJson(p.toJson())).isEqualTo(p);
    JobPolicy jp = new JobPolicy(Duration.ofSeconds(9), p, 5, Duration.ofHours(1), Duration.ofDays(2));
    assertThat(JobPolicy.fromJson(jp.toJson())).isEqualTo(jp);
    assertThat(JobPolicy.fromJson(JobPolicy.defaults().toJson())).isEqualTo(JobPolicy.defaults());
  }

  @Test
  void invalidSettingsAreRefused() {
    assertThatThrownBy(() -> RetryPolicy.builder().maxAttempts(0)).hasMessageContaining("maxAttempts");
    assertThatThrownBy(() -> RetryPolicy.builder().multiplier(0.5)).hasMessageContaining("multiplier");
    assertThatThrownBy(() -> RetryPolicy.builder().jitter(1)).hasMessageContaining("jitter");
    assertThatThrownBy(() -> RetryPolicy.builder().initialDelay(Duration.ofMinutes(5)).maxDelay(Duration.ofMinutes(1))
        .build()).hasMessageContaining("shorter than initialDelay");
    assertThatThrownBy(() -> RetryPolicy.builder().retryOnNames(Set.of("not a class"))).hasMessageContaining(
        "not a Java class name");
    assertThatThrownBy(() -> new JobPolicy(Duration.ZERO, RetryPolicy.defaults(), 3, Duration.ofDays(1),
        Duration.ofDays(1))).hasMessageContaining("timeout");
  }

  @Test
  void theBackoffIsTheSharedWaitInWholeMillisecondsAndMatchesTheFormerFormula() {
    RetryPolicy p = RetryPolicy.builder().initialDelay(Duration.ofMillis(250)).multiplier(3).maxDelay(Duration.ofSeconds(40))
        .jitter(0.3).build();
    for (int failures = 1; failures <= 8; failures++) {
      for (double r = 0; r < 1; r += 0.0625) {
        double base = Math.min(250 * Math.pow(3, failures - 1), 40_000);
        long former = Math.round(dev.spindle.spi.Jitter.apply(base, 0.3, r, 40_000));
        assertThat(p.backoff(failures, r).toMillis()).as("failure %d, random %s", failures, r).isEqualTo(former);
        double rr = r;
        long nanos = p.backoffWait().next(new dev.spindle.retry.Attempt(failures, Duration.ZERO, null, null), () -> rr)
            .toNanos();
        assertThat(p.backoff(failures, r).toMillis()).isEqualTo(Math.round(nanos / 1e6));
      }
    }
  }
}
