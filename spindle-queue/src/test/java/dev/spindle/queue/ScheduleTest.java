package dev.spindle.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.PayloadException;
import dev.spindle.queue.internal.ScheduleRunner;
import dev.spindle.queue.internal.ScheduleRunner.Plan;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScheduleTest {
  private static final Instant T = Instant.parse("2030-01-01T12:00:00Z");

  private static Schedule every(String name, Duration d, MisfirePolicy p) {
    return Schedule.every(name, d).task("t.x", "{}").misfire(p).build();
  }

  @Test
  void intervalTicksFallOnMultiplesOfTheIntervalFromTheAnchor() {
    Schedule s = every("s", Duration.ofMinutes(5), MisfirePolicy.FIRE_ONCE);
    assertThat(s.nextTick(T.plusSeconds(1))).isEqualTo(T.plus(Duration.ofMinutes(5)));
    assertThat(s.nextTick(T)).as("strictly after").isEqualTo(T.plus(Duration.ofMinutes(5)));
    Schedule anchored = Schedule.every("a", Duration.ofMinutes(5)).anchor(T.plusSeconds(7)).task("t.x", "1").build();
    assertThat(anchored.nextTick(T)).isEqualTo(T.plusSeconds(7));
    assertThat(anchored.nextTick(T.plusSeconds(7))).isEqualTo(T.plusSeconds(307));
  }

  @Test
  void definitionRoundTripsThroughJson() {
    Schedule s = Schedule.cron("nightly", "30 2 * * MON-FRI", ZoneId.of("Europe/Berlin")).task("reports.run",
        "{\"kind\":\"daily\"}").misfire(MisfirePolicy.SKIP).misfireGrace(Duration.ofMinutes(10))
        .options(JobOptions.builder().queue("reports").priority(3).timeout(Duration.ofMinutes(5)).build()).build();
    Schedule back = Schedule.fromJson(s.toJson());
    assertThat(back).isEqualTo(s);
    assertThat(back.cron().expression()).isEqualTo("30 2 * * MON-FRI");
    assertThat(back.zone()).isEqualTo(ZoneId.of("Europe/Berlin"));
    assertThat(back.jobOptions().queue()).isEqualTo("reports");
    assertThat(back.jobOptions().policy().timeout()).isEqualTo(Duration.ofMinutes(5));
    Schedule i = every("i", Duration.ofSeconds(30), MisfirePolicy.FIRE_ALL);
    assertThat(Schedule.fromJson(i.toJson())).isEqualTo(i);
    assertThat(i.misfireGrace()).as("grace capped at the interval").isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void invalidSchedulesAreRefused() {
    assertThatThrownBy(() -> Schedule.every("x", Duration.ofMillis(1))).hasMessageContaining("at least");
    assertThatThrownBy(() -> Schedule.every("x", Duration.ofSeconds(Long.MAX_VALUE)))
        .hasMessageContaining("at most 36525 days");
    assertThatThrownBy(() -> Schedule.every("bad name!", Duration.ofMinutes(1))).hasMessageContaining("schedule name");
    assertThatThrownBy(() -> Schedule.every("x", Duration.ofMinutes(1)).task("t.x", "{oops"))
        .isInstanceOf(PayloadException.class);
    assertThatThrownBy(() -> Schedule.every("x", Duration.ofMinutes(1)).build()).hasMessageContaining("needs a task");
    assertThatThrownBy(() -> Schedule.cron("x", "0 0 * *", ZoneId.of("UTC"))).hasMessageContaining("fields");
  }

  @Test
  void anOnTimeTickFires() {
    Schedule s = every("s", Duration.ofMinutes(1), MisfirePolicy.FIRE_ONCE);
    Plan p = ScheduleRunner.plan(s, T, T.plusSeconds(2));
    assertThat(p.ticks()).containsExactly(T);
    assertThat(p.next()).isEqualTo(T.plusSeconds(60));
  }

  @Test
  void fireOnceCoalescesMissedTicksIntoOneJob() {
    Schedule s = Schedule.every("s", Duration.ofMinutes(1)).task("t.x", "{}").misfireGrace(Duration.ofSeconds(10))
        .build();
    Plan late = ScheduleRunner.plan(s, T, T.plus(Duration.ofMinutes(10)).plusSeconds(30));
    assertThat(late.ticks()).as("only missed ticks: fire once, for the first").containsExactly(T);
    assertThat(late.next()).isEqualTo(T.plus(Duration.ofMinutes(11)));
    Plan withOnTime = ScheduleRunner.plan(s, T, T.plus(Duration.ofMinutes(10)).plusSeconds(5));
    assertThat(withOnTime.ticks()).as("the on-time tick stands for the missed ones")
        .containsExactly(T.plus(Duration.ofMinutes(10)));
  }

  @Test
  void fireAllCatchesUpEveryTickInBoundedBatches() {
    Schedule s = every("s", Duration.ofMinutes(1), MisfirePolicy.FIRE_ALL);
    Plan p = ScheduleRunner.plan(s, T, T.plus(Duration.ofMinutes(4)).plusSeconds(1));
    assertThat(p.ticks()).containsExactly(T, T.plusSeconds(60), T.plusSeconds(120), T.plusSeconds(180),
        T.plusSeconds(240));
    assertThat(p.next()).isEqualTo(T.plusSeconds(300));
    Schedule fast = every("f", Duration.ofSeconds(1), MisfirePolicy.FIRE_ALL);
    Plan capped = ScheduleRunner.plan(fast, T, T.plus(Duration.ofHours(1)));
    assertThat(capped.ticks()).hasSize(ScheduleRunner.MAX_CATCH_UP);
    assertThat(capped.next()).isEqualTo(T.plusSeconds(ScheduleRunner.MAX_CATCH_UP));
  }

  @Test
  void skipDropsMissedTicks() {
    Schedule s = Schedule.every("s", Duration.ofMinutes(1)).task("t.x", "{}").misfire(MisfirePolicy.SKIP)
        .misfireGrace(Duration.ofSeconds(10)).build();
    Plan p = ScheduleRunner.plan(s, T, T.plus(Duration.ofMinutes(3)).plusSeconds(30));
    assertThat(p.ticks()).isEmpty();
    assertThat(p.next()).isEqualTo(T.plus(Duration.ofMinutes(4)));
    assertThat(ScheduleRunner.plan(s, T, T.plusSeconds(5)).ticks()).containsExactly(T);
  }

  @Test
  void cronPlanUsesTheCronTicks() {
    Schedule s = Schedule.cron("c", "0 * * * *", ZoneId.of("UTC")).task("t.x", "{}").build();
    Plan p = ScheduleRunner.plan(s, T, T.plusSeconds(20));
    assertThat(p.ticks()).isEqualTo(List.of(T));
    assertThat(p.next()).isEqualTo(T.plus(Duration.ofHours(1)));
  }
}
