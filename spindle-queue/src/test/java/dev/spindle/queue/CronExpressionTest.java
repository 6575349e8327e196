package dev.spindle.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CronExpressionTest {
  private static final ZoneId UTC = ZoneOffset.UTC;
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

  private static Instant utc(String local) {
    return LocalDateTime.parse(local).toInstant(ZoneOffset.UTC);
  }

  private static List<Instant> next(String expr, ZoneId zone, Instant from, int n) {
    CronExpression c = CronExpression.parse(expr);
    List<Instant> out = new ArrayList<>();
    Instant t = from;
    for (int i = 0; i < n; i++) {
      t = c.next(t, zone).orElseThrow();
      out.add(t);
    }
    return out;
  }

  @Test
  void everyMinuteFiresOnTheNextWholeMinuteStrictlyAfter() {
    assertThat(next("* * * * *", UTC, utc("2030-01-01T10:00:30"), 3)).containsExactly(utc("2030-01-01T10:01:00"),
        utc("2030-01-01T10:02:00"), utc("2030-01-01T10:03:00"));
    assertThat(next("* * * * *", UTC, utc("2030-01-01T10:00:00"), 1)).containsExactly(utc("2030-01-01T10:01:00"));
  }

  @Test
  void stepsRangesAndLists() {
    assertThat(next("*/15 * * * *", UTC, utc("2030-01-01T10:07:00"), 3)).containsExactly(utc("2030-01-01T10:15:00"),
        utc("2030-01-01T10:30:00"), utc("2030-01-01T10:45:00"));
    assertThat(next("0 9-11,14 * * *", UTC, utc("2030-01-01T10:30:00"), 4)).containsExactly(
        utc("2030-01-01T11:00:00"), utc("2030-01-01T14:00:00"), utc("2030-01-02T09:00:00"),
        utc("2030-01-02T10:00:00"));
    assertThat(next("5/20 0 * * *", UTC, utc("2030-01-01T00:00:00"), 3)).containsExactly(utc("2030-01-01T00:05:00"),
        utc("2030-01-01T00:25:00"), utc("2030-01-01T00:45:00"));
    assertThat(next("0 0-12/6 * * *", UTC, utc("2030-01-01T00:00:00"), 3)).containsExactly(
        utc("2030-01-01T06:00:00"), utc("2030-01-01T12:00:00"), utc("2030-01-02T00:00:00"));
  }

  @Test
  void monthAndDayNamesAreCaseInsensitive() {
    // 2030-01-01 is a Tuesday
    assertThat(next("30 8 * * mon-fri", UTC, utc("2030-01-04T09:00:00"), 2)).containsExactly(
        utc("2030-01-07T08:30:00"), utc("2030-01-08T08:30:00"));
    assertThat(next("0 0 1 JAN,jul *", UTC, utc("2030-01-01T00:00:00"), 2)).containsExactly(
        utc("2030-07-01T00:00:00"), utc("2031-01-01T00:00:00"));
  }

  @Test
  void sundayIsZeroOrSeven() {
    assertThat(CronExpression.parse("0 0 * * 7")).isEqualTo(CronExpression.parse("0 0 * * 0"));
    assertThat(CronExpression.parse("0 0 * * SUN")).isEqualTo(CronExpression.parse("0 0 * * 0"));
    assertThat(next("0 12 * * 7", UTC, utc("2030-01-01T00:00:00"), 1)).containsExactly(utc("2030-01-06T12:00:00"));
  }

  @Test
  void restrictedDayOfMonthAndDayOfWeekMatchEither() {
    // the 13th, or any Friday (Vixie cron)
    assertThat(next("0 0 13 * 5", UTC, utc("2030-01-01T00:00:00"), 4)).containsExactly(utc("2030-01-04T00:00:00"),
        utc("2030-01-11T00:00:00"), utc("2030-01-13T00:00:00"), utc("2030-01-18T00:00:00"));
    // a starred day-of-week means only the day of month counts
    assertThat(next("0 0 13 * *", UTC, utc("2030-01-01T00:00:00"), 2)).containsExactly(utc("2030-01-13T00:00:00"),
        utc("2030-02-13T00:00:00"));
  }

  @Test
  void macros() {
    assertThat(CronExpression.parse("@daily")).isEqualTo(CronExpression.parse("0 0 * * *"));
    assertThat(CronExpression.parse("@hourly")).isEqualTo(CronExpression.parse("0 * * * *"));
    assertThat(CronExpression.parse("@weekly")).isEqualTo(CronExpression.parse("0 0 * * 0"));
    assertThat(CronExpression.parse("@monthly")).isEqualTo(CronExpression.parse("0 0 1 * *"));
    assertThat(CronExpression.parse("@yearly")).isEqualTo(CronExpression.parse("@annually"));
    assertThatThrownBy(() -> CronExpression.parse("@reboot")).hasMessageContaining("unknown cron macro");
  }

  @Test
  void leapDayFiresEveryFourYears() {
    assertThat(next("0 0 29 2 *", UTC, utc("2030-01-01T00:00:00"), 2)).containsExactly(utc("2032-02-29T00:00:00"),
        utc("2036-02-29T00:00:00"));
  }

  @Test
  void timeZoneIsHonoured() {
    assertThat(next("0 9 * * *", BERLIN, utc("2030-01-01T00:00:00"), 1)).containsExactly(utc("2030-01-01T08:00:00"));
    assertThat(next("0 9 * * *", BERLIN, utc("2030-07-01T00:00:00"), 1)).containsExactly(utc("2030-07-01T07:00:00"));
  }

  @Test
  void aTimeSkippedBySpringForwardFiresOnceAtTheEndOfTheGap() {
    // Berlin, 2030-03-31: 02:00 -> 03:00 local (01:00 UTC)
    assertThat(next("30 2 * * *", BERLIN, utc("2030-03-30T12:00:00"), 2)).containsExactly(
        utc("2030-03-31T01:00:00"), utc("2030-04-01T00:30:00"));
    List<Instant> everyMinute = next("* * * * *", BERLIN, utc("2030-03-31T00:58:00"), 3);
    assertThat(everyMinute).containsExactly(utc("2030-03-31T00:59:00"), utc("2030-03-31T01:00:00"),
        utc("2030-03-31T01:01:00"));
  }

  @Test
  void aTimeRepeatedByFallBackFiresOnce() {
    // New York, 2030-11-03: 02:00 -> 01:00 local; 01:30 occurs at 05:30 and 06:30 UTC
    assertThat(next("30 1 * * *", NEW_YORK, utc("2030-11-03T00:00:00"), 2)).containsExactly(
        utc("2030-11-03T05:30:00"), utc("2030-11-04T06:30:00"));
  }

  @Test
  void invalidExpressionsSayWhatIsWrong() {
    assertThatThrownBy(() -> CronExpression.parse("* * * *")).hasMessageContaining("has 4 fields");
    assertThatThrownBy(() -> CronExpression.parse("60 * * * *")).hasMessageContaining("out of range 0-59")
        .hasMessageContaining("minute");
    assertThatThrownBy(() -> CronExpression.parse("* 24 * * *")).hasMessageContaining("hour");
    assertThatThrownBy(() -> CronExpression.parse("* * 0 * *")).hasMessageContaining("day-of-month");
    assertThatThrownBy(() -> CronExpression.parse("* * * 13 *")).hasMessageContaining("month");
    assertThatThrownBy(() -> CronExpression.parse("* * * * 8")).hasMessageContaining("day-of-week");
    assertThatThrownBy(() -> CronExpression.parse("* * * FOO *")).hasMessageContaining("unknown name 'FOO'");
    assertThatThrownBy(() -> CronExpression.parse("*/0 * * * *")).hasMessageContaining("step 0");
    assertThatThrownBy(() -> CronExpression.parse("5-1 * * * *")).hasMessageContaining("runs backwards");
    assertThatThrownBy(() -> CronExpression.parse("1,,2 * * * *")).hasMessageContaining("empty list item");
    assertThatThrownBy(() -> CronExpression.parse("0 0 30 2 *")).hasMessageContaining("never fires");
    assertThatThrownBy(() -> CronExpression.parse("a * * * *")).hasMessageContaining("not a number");
  }
}
