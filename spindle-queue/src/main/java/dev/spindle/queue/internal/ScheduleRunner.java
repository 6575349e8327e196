package dev.spindle.queue.internal;

import dev.spindle.queue.JobEvent;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobState;
import dev.spindle.queue.MisfirePolicy;
import dev.spindle.queue.Schedule;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.ScheduleRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fires due recurring schedules. Every worker runs one; each tick is fired exactly once because
 * {@link JobStore#fireSchedule} compares the schedule's version atomically and the job's unique key
 * names the tick. Called from one thread (the worker's housekeeper).
 */
public final class ScheduleRunner {
  /** How often a worker looks for due schedules by default (on its clock). */
  public static final Duration CHECK_INTERVAL = Duration.ofSeconds(1);
  /** The most ticks one pass fires for one schedule under {@link MisfirePolicy#FIRE_ALL}. */
  public static final int MAX_CATCH_UP = 1000;
  private static final Logger LOG = LoggerFactory.getLogger(ScheduleRunner.class);
  private static final int MAX_SCAN = 100_000;

  private final JobStore store;
  private final Listeners listeners;
  private final String workerId;
  private final Map<String, Long> reportedBroken = new HashMap<>();

  public ScheduleRunner(JobStore store, Listeners listeners, String workerId) {
    this.store = store;
    this.listeners = listeners;
    this.workerId = workerId;
  }

  /** What to fire for a due schedule, and where it goes next. */
  public record Plan(List<Instant> ticks, Instant next) {}

  /**
   * Fires every due schedule once.
   *
   * @return how many jobs were enqueued
   */
  public int runDue(Instant now) {
    int fired = 0;
    for (ScheduleRecord rec : store.dueSchedules(now, 100)) {
      Schedule schedule;
      try {
        schedule = Schedule.fromJson(rec.definition());
      } catch (RuntimeException e) {
        if (!Long.valueOf(rec.version()).equals(reportedBroken.put(rec.name(), rec.version()))) {
          LOG.error("schedule '{}' has an unreadable definition and cannot fire; replace or remove it: {}",
              rec.name(), e.getMessage());
        }
        continue;
      }
      Plan plan = plan(schedule, rec.nextFireAt(), now);
      JobOptions o = schedule.jobOptions();
      List<NewJob> jobs = new ArrayList<>(plan.ticks().size());
      for (Instant tick : plan.ticks()) {
        jobs.add(new NewJob(schedule.task(), schedule.argsJson(), o.queue(), o.priority(), now,
            schedule.tickKey(tick), o.policy(), now));
      }
      Instant last = plan.ticks().isEmpty() ? rec.lastFireAt() : plan.ticks().get(plan.ticks().size() - 1);
      if (store.fireSchedule(rec.name(), rec.version(), plan.next(), last, jobs)) {
        fired += jobs.size();
        for (NewJob j : jobs) {
          listeners.enqueued(j.queue(), j.task()); // a tick's key is new: fireSchedule adds every job
        }
        if (plan.ticks().isEmpty()) {
          LOG.info("schedule '{}' skipped missed tick(s) from {} (misfire policy SKIP); next at {}", rec.name(),
              rec.nextFireAt(), plan.next());
        } else if (plan.ticks().size() > 1 || !plan.ticks().get(0).equals(rec.nextFireAt())) {
          LOG.info("schedule '{}' caught up missed ticks from {} with {} job(s) (misfire policy {})", rec.name(),
              rec.nextFireAt(), jobs.size(), schedule.misfire());
        }
        if (listeners.active()) {
          for (NewJob j : jobs) {
            listeners.emit(new JobEvent(JobEvent.Type.SCHEDULE_FIRED,
                Objects.requireNonNull(j.uniqueKey(), "a tick's key"), j.task(), j.queue(), 0,
                JobState.QUEUED, now, workerId, null, rec.name()));
          }
        }
      }
    }
    return fired;
  }

  /**
   * Decides which ticks to fire for a schedule whose next tick {@code due} is {@code <= now}.
   * A tick at most {@link Schedule#misfireGrace()} old is on time and fires; older ones are missed
   * and handled by the {@link MisfirePolicy}.
   */
  public static Plan plan(Schedule s, Instant due, Instant now) {
    if (s.misfire() == MisfirePolicy.FIRE_ALL) {
      List<Instant> ticks = new ArrayList<>();
      Instant t = due;
      while (!t.isAfter(now) && ticks.size() < MAX_CATCH_UP) {
        ticks.add(t);
        t = s.nextTick(t);
      }
      return new Plan(ticks, t);
    }
    Instant onTimeFrom = now.minus(s.misfireGrace());
    Instant t = due.isBefore(onTimeFrom) ? s.nextTick(onTimeFrom.minusMillis(1)) : due;
    Instant latestOnTime = null;
    int scanned = 0;
    while (!t.isAfter(now) && scanned++ < MAX_SCAN) {
      latestOnTime = t;
      t = s.nextTick(t);
    }
    if (t.isBefore(now) || t.equals(now)) {
      t = s.nextTick(now);
    }
    boolean missed = due.isBefore(onTimeFrom);
    if (latestOnTime != null) {
      return new Plan(List.of(latestOnTime), t);
    }
    if (missed && s.misfire() == MisfirePolicy.FIRE_ONCE) {
      return new Plan(List.of(due), t);
    }
    return new Plan(List.of(), t);
  }
}
