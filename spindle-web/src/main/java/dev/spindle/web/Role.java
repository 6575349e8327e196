package dev.spindle.web;

/**
 * What a dashboard user may do. {@link #VIEWER} reads everything; {@link #OPERATOR} may also change
 * jobs, queues and schedules. Immutable.
 */
public enum Role {
  /** Read-only: pages and GET requests. */
  VIEWER,
  /** Reads and changes: enqueue, retry, cancel, purge, pause, schedules. */
  OPERATOR;

  /** True if this role may do what {@code needed} allows. */
  public boolean covers(Role needed) {
    return this == OPERATOR || needed == VIEWER;
  }
}
