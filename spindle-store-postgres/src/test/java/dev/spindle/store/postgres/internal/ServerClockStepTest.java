package dev.spindle.store.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.store.jdbc.internal.ServerClock;
import dev.spindle.testkit.postgres.PostgresServer;
import dev.spindle.testkit.store.SteppedClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * This host's wall clock steps back or forward by an hour (an NTP correction, a VM restored from a
 * snapshot) while the server's keeps real time: {@link ServerClock} (on PostgreSQL) must go on answering the server's
 * time, before its next measurement as after it. The local wall clock is injected and stepped; the
 * server is a real PostgreSQL on this host, so its clock is this host's real one.
 */
class ServerClockStepTest {
  private static final Duration HOUR = Duration.ofHours(1);

  private static Db db;


  @BeforeAll
  static void open() {
    PostgresServer pg = PostgresServer.shared();
    Properties props = new Properties();
    props.setProperty("user", pg.user());
    props.setProperty("password", pg.password());
    db = new Db("clock step test", pg.jdbcUrl("postgres"), props, 2);
  }

  @AfterAll
  static void close() {
    db.close();
  }

  @Test
  void aStepOfTheLocalWallClockDoesNotMoveTheServerTimeBeforeTheNextMeasurement() {
    SteppedClock local = SteppedClock.ofSystem();
    ServerClock clock = new ServerClock(db, Db.NOW_MICROS, "test-clock", local, System::nanoTime);
    Instant before = clock.instant();
    local.step(HOUR.negated());
    Instant afterBack = clock.instant();
    local.step(HOUR.multipliedBy(2));
    Instant afterForward = clock.instant();
    assertThat(Duration.between(before, afterBack)).as("stepped back").isBetween(Duration.ZERO, Duration.ofSeconds(5));
    assertThat(Duration.between(afterBack, afterForward)).as("stepped forward")
        .isBetween(Duration.ZERO, Duration.ofSeconds(5));
  }

  @Test
  void betweenMeasurementsTheServerTimeMovesWithTheMonotonicClockAndAMeasurementAfterAStepKeepsIt() {
    SteppedClock local = SteppedClock.ofSystem();
    AtomicLong nanos = new AtomicLong(42);
    ServerClock clock = new ServerClock(db, Db.NOW_MICROS, "test-clock", local, nanos::get);
    Instant measured = clock.instant();
    assertThat(Duration.between(Instant.now(), measured).abs()).isLessThan(Duration.ofSeconds(5));
    local.step(HOUR.negated());
    nanos.addAndGet(1_000_000_000L);
    assertThat(clock.instant()).isEqualTo(measured.plusSeconds(1));

    nanos.addAndGet(ServerClock.RESAMPLE_NANOS); // the measurement is old: the next read measures again
    clock.instant();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(clock.offsetMicros())
        .as("measured again against the stepped wall clock").isBetween(HOUR.toNanos() / 1000 - 5_000_000,
            HOUR.toNanos() / 1000 + 5_000_000));
    assertThat(Duration.between(Instant.now(), clock.instant()).abs()).as("the server's time, measured again")
        .isLessThan(Duration.ofSeconds(2));
  }
}
