package dev.spindle.supervisor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;

class ChildContextTest {
  @Test
  void aTimeoutTooLongForNanosecondsWaitsInsteadOfFailing() throws InterruptedException {
    ChildContext ctx = new ChildContext("svc", 0, null, 0, Duration.ofSeconds(10), jobs -> { });
    ctx.signalStop();
    // "wait as long as it takes": more than Long.MAX_VALUE nanoseconds (292 years)
    assertThat(ctx.awaitStop(ChronoUnit.FOREVER.getDuration())).isTrue();
    assertThat(ctx.awaitStop(Duration.ofDays(365L * 1000))).isTrue();
  }
}
