package dev.spindle.store.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class HostClockTest {
  @Test
  void readsTheKernelClockDirectlyInTestJvms() {
    // the test JVMs run with --enable-native-access=ALL-UNNAMED (root pom), as ./spindle does
    assertThat(HostClock.isDirect()).isTrue();
    Instant before = Instant.now();
    Instant t = HostClock.INSTANCE.instant();
    Instant after = Instant.now();
    assertThat(t).isBetween(before.minusMillis(50), after.plusMillis(50));
    assertThat(Duration.between(t, HostClock.INSTANCE.instant()).isNegative()).isFalse();
  }
}
