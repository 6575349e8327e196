package dev.spindle.web.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.web.Credentials;
import dev.spindle.web.Role;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The login throttle's window runs on the monotonic clock: it ends 5 minutes after the oldest
 * failure by that clock, whatever the wall clock says (here it stands still, as after a step back).
 */
class AuthThrottleTest {
  private static final char[] PASSWORD = "correct horse battery".toCharArray();

  @Test
  void theThrottleLiftsWhenTheWindowHasPassedOnTheMonotonicClock() {
    AtomicLong nanos = new AtomicLong(42);
    Auth auth = new Auth(Credentials.builder().password("alice", Role.OPERATOR, PASSWORD.clone()).build(),
        Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC), null, Auth.SESSION_LIFETIME, nanos::get);
    for (int i = 0; i < Auth.MAX_FAILURES; i++) {
      assertThat(auth.login("alice", ("wrong " + i).toCharArray(), "10.0.0.1")).isEmpty();
      nanos.addAndGet(1_000_000_000L);
    }
    assertThatThrownBy(() -> auth.login("alice", PASSWORD.clone(), "10.0.0.1")).isInstanceOfSatisfying(Problem.class,
        p -> assertThat(p.status()).isEqualTo(429)).hasMessageContaining("try again in 296 s");
    nanos.addAndGet(Auth.THROTTLE_WINDOW.toNanos() - 5_000_000_000L);
    assertThatThrownBy(() -> auth.login("alice", PASSWORD.clone(), "10.0.0.1"))
        .as("the oldest failure is exactly a window old").isInstanceOf(Problem.class);
    nanos.addAndGet(1);
    assertThat(auth.login("alice", PASSWORD.clone(), "10.0.0.1")).as("a window after the oldest failure")
        .hasValueSatisfying(u -> assertThat(u.name()).isEqualTo("alice"));
  }
}
