package dev.spindle.queue.memory;

import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.ScheduleRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The recurring schedules of an {@link InMemoryJobStore}: saving (an identical definition is kept as
 * it is), deleting, listing the due ones, firing a tick exactly once (by version) with its jobs, and
 * pausing. Thread-safe through the store's lock.
 */
final class MemorySchedules {
  private final MemoryData data;
  private final MemoryEnqueue enqueue;
  private final TreeMap<String, ScheduleRecord> schedules = new TreeMap<>();
  private final Set<String> pausedSchedules = new TreeSet<>();

  MemorySchedules(MemoryData data, MemoryEnqueue enqueue) {
    this.data = data;
    this.enqueue = enqueue;
  }

  ScheduleRecord saveSchedule(ScheduleRecord schedule) {
    ScheduleRecord r;
    synchronized (data.lock) {
      data.checkOpen();
      ScheduleRecord existing = schedules.get(schedule.name());
      if (existing != null && existing.definition().equals(schedule.definition())) {
        return existing;
      }
      r = new ScheduleRecord(schedule.name(), schedule.definition(), schedule.nextFireAt(),
          existing == null ? null : existing.lastFireAt(), existing == null ? 1 : existing.version() + 1,
          existing == null ? schedule.createdAt() : existing.createdAt());
      schedules.put(r.name(), r);
    }
    data.listeners.fire();
    return r;
  }

  boolean deleteSchedule(String scheduleName) {
    boolean removed;
    synchronized (data.lock) {
      data.checkOpen();
      removed = schedules.remove(scheduleName) != null;
      pausedSchedules.remove(scheduleName);
    }
    if (removed) {
      data.listeners.fire();
    }
    return removed;
  }

  List<ScheduleRecord> schedules() {
    synchronized (data.lock) {
      data.checkOpen();
      return List.copyOf(schedules.values());
    }
  }

  List<ScheduleRecord> dueSchedules(Instant now, int limit) {
    synchronized (data.lock) {
      data.checkOpen();
      return schedules.values().stream()
          .filter(s -> !s.nextFireAt().isAfter(now) && !pausedSchedules.contains(s.name()))
          .sorted(Comparator.comparing(ScheduleRecord::nextFireAt).thenComparing(ScheduleRecord::name))
          .limit(limit).toList();
    }
  }

  boolean fireSchedule(String scheduleName, long expectedVersion, Instant nextFireAt,
      @Nullable Instant firedTick, List<NewJob> newJobs) {
    synchronized (data.lock) {
      data.checkOpen();
      ScheduleRecord s = schedules.get(scheduleName);
      if (s == null || s.version() != expectedVersion) {
        return false;
      }
      List<EnqueueResult> fired = new ArrayList<>(newJobs.size());
      for (NewJob n : newJobs) {
        fired.add(enqueue.insert(n, fired));
      }
      schedules.put(scheduleName, new ScheduleRecord(scheduleName, s.definition(), nextFireAt, firedTick,
          s.version() + 1, s.createdAt()));
    }
    data.listeners.fire();
    return true;
  }

  boolean pauseSchedule(String scheduleName) {
    synchronized (data.lock) {
      data.checkOpen();
      if (!schedules.containsKey(scheduleName)) {
        return false;
      }
      pausedSchedules.add(scheduleName);
    }
    data.listeners.fire();
    return true;
  }

  boolean resumeSchedule(String scheduleName) {
    synchronized (data.lock) {
      data.checkOpen();
      if (!schedules.containsKey(scheduleName)) {
        return false;
      }
      pausedSchedules.remove(scheduleName);
    }
    data.listeners.fire();
    return true;
  }

  Set<String> pausedSchedules() {
    synchronized (data.lock) {
      data.checkOpen();
      return Set.copyOf(pausedSchedules);
    }
  }
}
