package dev.spindle.coordination;

import java.util.List;

/**
 * Hears the joins and leaves of a group ({@link Coordinator#watch}). Called on the coordinator's
 * scheduler thread, one poll's changes at a time, never concurrently for one watch; keep it short.
 * A listener that throws is logged and called again on the next change.
 */
public interface GroupListener {
  /** {@code member} joined (or was in the group when the watch started). */
  default void onJoin(Member member) {}

  /** {@code member} left or expired (its heartbeats stopped for longer than the TTL). */
  default void onLeave(Member member) {}

  /** After a poll that saw changes: the group's members now, by id. */
  default void onMembers(List<Member> members) {}
}
