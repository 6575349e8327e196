package dev.spindle.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The one duration grammar and the one size grammar. */
class DurationsAndSizesTest {
  @Test
  void durationsInEveryForm() {
    assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(Durations.parse(" 10 S ")).isEqualTo(Duration.ofSeconds(10));
    assertThat(Durations.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(Durations.parse("7d")).isEqualTo(Duration.ofDays(7));
    assertThat(Durations.parse("250us")).isEqualTo(Duration.ofNanos(250_000));
    assertThat(Durations.parse("3ns")).isEqualTo(Duration.ofNanos(3));
    assertThat(Durations.parse("PT30S")).isEqualTo(Duration.ofSeconds(30));
    assertThat(Durations.parse("p1dt2h")).isEqualTo(Duration.ofHours(26));
    assertThat(Durations.parse("0s")).isZero();
  }

  @Test
  void badDurationsGetAClearError() {
    assertThatThrownBy(() -> Durations.parse("soon")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("not a duration: 'soon' (examples: 500ms");
    assertThatThrownBy(() -> Durations.parse("30")).hasMessageContaining("a unit is required");
    assertThatThrownBy(() -> Durations.parse("5 apples")).hasMessageContaining("not a duration");
    assertThatThrownBy(() -> Durations.parse("")).hasMessageContaining("empty");
    assertThatThrownBy(() -> Durations.parse("-PT5S")).hasMessageContaining("must not be negative");
    assertThatThrownBy(() -> Durations.parse("99999999999999999999999d")).hasMessageContaining("too long");
    assertThatThrownBy(() -> Durations.parse("2d", Duration.ofDays(1))).hasMessageContaining("at most 1 days");
    assertThatThrownBy(() -> Durations.parse("\u001b[2Jx")).hasMessageNotContaining("\u001b");
  }

  @Test
  void sizesSayWhichUnitsAreDecimalAndWhichBinary() {
    assertThat(ByteSizes.parse("1048576")).isEqualTo(1L << 20);
    assertThat(ByteSizes.parse("900 B")).isEqualTo(900);
    assertThat(ByteSizes.parse("512MB")).isEqualTo(512_000_000L);
    assertThat(ByteSizes.parse("512mb")).isEqualTo(512_000_000L);
    assertThat(ByteSizes.parse("512MiB")).isEqualTo(512L << 20);
    assertThat(ByteSizes.parse("512m")).isEqualTo(512L << 20);
    assertThat(ByteSizes.parse("64KB")).isEqualTo(64_000);
    assertThat(ByteSizes.parse("64KiB")).isEqualTo(64 << 10);
    assertThat(ByteSizes.parse("2g")).isEqualTo(2L << 30);
    assertThat(ByteSizes.parse("1TB")).isEqualTo(1_000_000_000_000L);
    assertThat(ByteSizes.parse("1.5KiB")).isEqualTo(1536);
    assertThat(ByteSizes.parseRate("8MiB/s")).isEqualTo(8L << 20);
    assertThat(ByteSizes.parseRate("500kB/s")).isEqualTo(500_000);
    assertThat(ByteSizes.parse("1024TiB")).isEqualTo(ByteSizes.MAX);
  }

  @Test
  void badSizesGetAClearError() {
    assertThatThrownBy(() -> ByteSizes.parse("5 apples")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("not a size: '5 apples'");
    assertThatThrownBy(() -> ByteSizes.parse("5iB")).hasMessageContaining("not a size");
    assertThatThrownBy(() -> ByteSizes.parse("-5")).hasMessageContaining("not a size");
    assertThatThrownBy(() -> ByteSizes.parse("1025TiB")).hasMessageContaining("too large");
    assertThatThrownBy(() -> ByteSizes.parse("99999999999999999999999")).hasMessageContaining("too large");
  }
}
