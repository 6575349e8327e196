package dev.spindle.coordination;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running watch of a group ({@link Coordinator#watch}): polls the members every watch interval
 * and tells its {@link GroupListener} what changed. Thread-safe; close it to stop.
 */
public final class GroupWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GroupWatch.class);

  private final Coordinator coordinator;
  private final String group;
  private final GroupListener listener;
  private final Object pollLock = new Object();
  private Map<String, Member> known = new LinkedHashMap<>();
  private volatile @Nullable ScheduledFuture<?> polls;
  private volatile boolean closed;

  GroupWatch(Coordinator coordinator, String group, GroupListener listener) {
    this.coordinator = coordinator;
    this.group = group;
    this.listener = listener;
  }

  void start(ScheduledExecutorService scheduler, java.time.Duration every) {
    polls = scheduler.scheduleWithFixedDelay(this::poll, 0, every.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Polls now (also run by the scheduler). */
  void poll() {
    synchronized (pollLock) {
      if (closed) {
        return;
      }
      List<Member> now;
      try {
        now = coordinator.backend().members(group);
      } catch (RuntimeException e) {
        LOG.warn("watch of {}: poll failed: {}", group, e.toString());
        return;
      }
      Map<String, Member> next = new LinkedHashMap<>();
      for (Member m : now) {
        next.put(m.id(), m);
      }
      List<Member> joined = new ArrayList<>();
      List<Member> left = new ArrayList<>();
      for (Member m : now) {
        Member before = known.get(m.id());
        if (before == null) {
          joined.add(m);
        }
      }
      for (Member m : known.values()) {
        if (!next.containsKey(m.id())) {
          left.add(m);
        }
      }
      known = next;
      if (joined.isEmpty() && left.isEmpty()) {
        return;
      }
      try {
        for (Member m : left) {
          listener.onLeave(m);
        }
        for (Member m : joined) {
          listener.onJoin(m);
        }
        listener.onMembers(List.copyOf(now));
      } catch (RuntimeException e) {
        LOG.warn("watch of {}: listener failed: {}", group, e.toString(), e);
      }
    }
  }

  /** The group watched. */
  public String group() {
    return group;
  }

  /** Stops polling. */
  @Override
  public void close() {
    closed = true;
    ScheduledFuture<?> p = polls;
    if (p != null) {
      p.cancel(false);
    }
    coordinator.forget(this);
  }
}
