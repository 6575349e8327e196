package dev.spindle.web.internal;

import dev.spindle.queue.spi.AuditLog;
import dev.spindle.queue.spi.AuditRecord;
import dev.spindle.queue.spi.StoreAdmin;
import dev.spindle.web.Credentials;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every operator action: who, what, on which target, with what outcome. Kept in the store when it
 * offers an {@link AuditLog} (so it survives restarts), else in memory (the newest
 * {@value #CAPACITY}); always also written to the {@code dev.spindle.web.audit} logger. Secrets are
 * never part of an entry. Thread-safe.
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
  public record Entry(Instant at, String user, String action, String target, @Nullable String detail) {}

  private final Clock clock;
  private final @Nullable AuditLog store;
  private final Deque<Entry> entries = new ArrayDeque<>();

  /** A trail stamping entries with {@code clock}, kept in {@code store}'s audit log. */
  public AuditTrail(Clock clock, StoreAdmin admin) {
    this.clock = clock;
    this.store = admin.auditLog();
  }

  /** True if entries are kept in the store. */
  public boolean durable() {
    return store != null;
  }

  /** Records an action. */
  public void record(Credentials.User who, String action, String target, @Nullable String detail) {
    Entry e = new Entry(clock.instant(), who.name(), action, target, detail);
    LOG.info("{} {} {} {}", e.user(), e.action(), e.target(), e.detail() == null ? "" : e.detail());
    if (store != null) {
      store.appendAudit(new AuditRecord(0, e.at(), e.user(), e.action(), e.target(), e.detail()));
      return;
    }
    synchronized (entries) {
      entries.addFirst(e);
      if (entries.size() > CAPACITY) {
        entries.removeLast();
      }
    }
  }

  /** The newest entries first, at most {@code limit}. */
  public List<Entry> recent(int limit) {
    if (store != null) {
      return store.recentAudit(limit).stream()
          .map(r -> new Entry(r.at(), r.user(), r.action(), r.target(), r.detail())).toList();
    }
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
