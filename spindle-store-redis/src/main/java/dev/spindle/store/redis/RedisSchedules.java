package dev.spindle.store.redis;

import dev.spindle.queue.spi.JobStore;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.ScheduleRecord;
import dev.spindle.store.redis.internal.RedisLink;
import dev.spindle.store.redis.internal.Rows;
import dev.spindle.store.redis.internal.Script;
import dev.spindle.store.redis.internal.Times;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The schedules of {@link RedisJobStore}: saved, deleted and listed by one script call each; a
 * schedule fires (its next time moves on, its jobs are added) in one script call, only at the
 * version its caller read. Thread-safe (stateless beyond the shared connection).
 */
final class RedisSchedules {
  private final RedisJobStore store;
  private final RedisLink link;

  /** @param store gives request ids and the callers' times as scripts read them */
  RedisSchedules(RedisJobStore store, RedisLink link) {
    this.store = store;
    this.link = link;
  }

  /** {@link JobStore#saveSchedule}. */
  ScheduleRecord saveSchedule(ScheduleRecord schedule) {
    List<?> r = link.script(Script.SAVE_SCHEDULE, true, schedule.name(), schedule.definition(),
        Times.encode(schedule.nextFireAt()), Times.encode(schedule.createdAt()));
    List<Object> row = new ArrayList<>(6);
    row.add(schedule.name());
    row.addAll(r);
    return Rows.schedule(row);
  }

  /** {@link JobStore#deleteSchedule}. */
  boolean deleteSchedule(String name) {
    Long n = link.script(Script.DELETE_SCHEDULE, true, store.rid(), name);
    return n > 0;
  }

  /** {@link JobStore#schedules}, by name. */
  List<ScheduleRecord> schedules() {
    List<?> r = link.script(Script.SCHEDULES, true, "", "0");
    List<ScheduleRecord> out = new ArrayList<>(r.size());
    for (Object row : r) {
      out.add(Rows.schedule((List<?>) row));
    }
    out.sort(Comparator.comparing(ScheduleRecord::name));
    return out;
  }

  /** {@link JobStore#dueSchedules}, by due time then name. */
  List<ScheduleRecord> dueSchedules(Instant now, int limit) {
    if (limit < 1) {
      return List.of();
    }
    List<?> r = link.script(Script.SCHEDULES, true, Long.toString(Times.floorMicros(now)), Integer.toString(limit));
    List<ScheduleRecord> out = new ArrayList<>(r.size());
    for (Object row : r) {
      ScheduleRecord s = Rows.schedule((List<?>) row);
      if (!s.nextFireAt().isAfter(now)) {
        out.add(s);
      }
    }
    out.sort(Comparator.comparing(ScheduleRecord::nextFireAt).thenComparing(ScheduleRecord::name));
    return out;
  }

  /** {@link JobStore#fireSchedule}. */
  boolean fireSchedule(String name, long expectedVersion, Instant nextFireAt, @Nullable Instant firedTick,
      List<NewJob> jobs) {
    List<String> args = new ArrayList<>(16 + jobs.size() * 2);
    args.add(store.rid());
    args.add(name);
    args.add(Long.toString(expectedVersion));
    args.add(Times.encode(nextFireAt));
    args.add(firedTick == null ? "" : Times.encode(firedTick));
    args.add(store.nowArg(jobs.isEmpty() ? Instant.now() : jobs.get(0).createdAt()));
    EnqueueArgs.appendJobs(args, jobs);
    Long r = link.script(Script.FIRE_SCHEDULE, true, args.toArray(String[]::new));
    return r == 1;
  }
}
