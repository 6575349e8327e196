package dev.spindle.web.internal;

import dev.spindle.web.Credentials;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every operator action: who, what, on which target, with what outcome. Kept in memory (the newest
 * {@value #CAPACITY}) and written to the {@code dev.spindle.web.audit} logger. Thread-safe.
 */
public class AuditTrail {
  /** Entries kept in memory. */
  public static final int CAPACITY = 10_000;
  private static final Logger LOG = LoggerFactory.getLogger("dev.spindle.web.audit");

  /**
   * One action.
   *
   * @param at when
   * @param user who
   * @param action e.g. {@code job.retry}
   * @param target the job id, queue, schedule or filter
   * @param detail the outcome, or {@code null}
   */
  public record Entry(Instant at, String user, String action, String target, String detail) {}

  private final Clock clock;
  private final Deque<Entry> entries = new ArrayDeque<>();

  /** A trail stamping entries with {@code clock}. */
  public AuditTrail(Clock clock) {
    this.clock = clock;
  }

  /** Records an action. */
  public void record(Credentials.User who, String action, String target, String detail) {
    Entry e = new Entry(clock.instant(), who.name(), action, target, detail);
    synchronized (entries) {
      entries.addFirst(e);
      if (entries.size() > CAPACITY) {
        entries.removeLast();
      }
    }
    LOG.info("{} {} {} {}", e.user(), e.action(), e.target(), e.detail() == null ? "" : e.detail());
  }

  /** The newest entries first, at most {@code limit}. */
  public List<Entry> recent(int limit) {
    synchronized (entries) {
      List<Entry> out = new ArrayList<>(Math.min(limit, entries.size()));
      for (Entry e : entries) {
        if (out.size() >= limit) {
          break;
        }
        out.add(e);
      }
      return out;
    }
  }
}
