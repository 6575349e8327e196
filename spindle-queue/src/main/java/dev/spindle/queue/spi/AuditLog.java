package dev.spindle.queue.spi;

import java.util.List;

/**
 * A durable record of operators' actions (dashboard and API changes), kept in the store so it
 * survives restarts and is shared by every dashboard on the store. Every store keeps one, reached
 * with {@link StoreAdmin#auditLog()}. The newest {@value #KEPT} entries are kept. Thread-safe.
 */
public interface AuditLog {
  /** Entries kept; older ones are deleted as new ones arrive. */
  int KEPT = 100_000;

  /** Appends an entry (its id is assigned by the store; the one given is ignored). */
  void appendAudit(AuditRecord record);

  /** The newest entries first, at most {@code limit}. */
  List<AuditRecord> recentAudit(int limit);
}
