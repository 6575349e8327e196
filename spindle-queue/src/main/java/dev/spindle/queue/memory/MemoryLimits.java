package dev.spindle.queue.memory;

import dev.spindle.queue.FlowLimit;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.FlowAdmin;
import dev.spindle.queue.spi.FlowHold;
import dev.spindle.queue.spi.FlowKeyState;
import dev.spindle.queue.spi.StoreClock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The flow-control operations of an {@link InMemoryJobStore} (see {@link dev.spindle.queue.spi.FlowControl}):
 * stored limits, a running job pausing its flow key, and what holds a ready job. The state itself is
 * {@link MemoryFlow}. Thread-safe through the store's lock.
 */
final class MemoryLimits {
  private final MemoryData data;

  MemoryLimits(MemoryData data) {
    this.data = data;
  }

  void putLimit(FlowLimit limit) {
    Objects.requireNonNull(limit, "limit");
    synchronized (data.lock) {
      data.checkOpen();
      data.flow.put(limit);
    }
    data.listeners.fire();
  }

  boolean defineLimit(FlowLimit limit) {
    Objects.requireNonNull(limit, "limit");
    synchronized (data.lock) {
      data.checkOpen();
      return data.flow.define(limit);
    }
  }

  boolean removeLimit(String limitName) {
    boolean removed;
    synchronized (data.lock) {
      data.checkOpen();
      removed = data.flow.remove(limitName);
    }
    data.listeners.fire();
    return removed;
  }

  List<FlowLimit> limits() {
    synchronized (data.lock) {
      data.checkOpen();
      return data.flow.limits();
    }
  }

  boolean pauseKey(String jobId, long fence, Instant until, Instant callerNow) {
    synchronized (data.lock) {
      data.checkOpen();
      MemoryJob j = data.lookup(jobId);
      if (j == null || j.state != JobState.RUNNING || j.fence != fence || j.flowKey == null) {
        return false;
      }
      data.flow.pause(j.flowKey, MemoryFlow.micros(StoreClock.read(data.clock, callerNow).translate(until)));
      return true;
    }
  }

  List<FlowKeyState> keys(String limit, int max) {
    int n = FlowAdmin.checkMax(max);
    synchronized (data.lock) {
      data.checkOpen();
      java.util.Map<String, Integer> ready = new java.util.HashMap<>();
      for (MemoryJob j : data.jobs.values()) {
        if (j.state == JobState.QUEUED && j.flowKey != null) {
          ready.merge(j.flowKey, 1, Integer::sum);
        }
      }
      long now = MemoryFlow.micros(data.clock.instant());
      List<FlowKeyState> out = new java.util.ArrayList<>();
      for (String key : data.flow.keysOf(limit, ready.keySet())) {
        if (out.size() >= n) {
          break;
        }
        out.add(new FlowKeyState(key, data.flow.runningOf(key), ready.getOrDefault(key, 0), data.flow.hold(key, now)));
      }
      return out;
    }
  }

  Optional<FlowHold> holdOf(String jobId) {
    synchronized (data.lock) {
      data.checkOpen();
      MemoryJob j = data.lookup(jobId);
      if (j == null || j.state != JobState.QUEUED || j.flowKey == null) {
        return Optional.empty();
      }
      return Optional.ofNullable(data.flow.hold(j.flowKey, MemoryFlow.micros(data.clock.instant())));
    }
  }
}
