package dev.spindle.queue.spi;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What one key of a flow limit holds now ({@link FlowAdmin#keys}): its running jobs (the
 * concurrency permits taken), its ready jobs, and the rule holding it if one does. Immutable.
 *
 * @param key the key ({@code limit:value})
 * @param running its jobs RUNNING now
 * @param ready its jobs QUEUED now
 * @param hold why its next job would not start now, or {@code null} if it may
 */
public record FlowKeyState(String key, int running, int ready, @Nullable FlowHold hold) {
  /** Checks the fields. */
  public FlowKeyState {
    Objects.requireNonNull(key, "key");
    if (running < 0 || ready < 0) {
      throw new IllegalArgumentException("counts must be >= 0: running " + running + ", ready " + ready);
    }
  }

  /** The key's value, without the limit's name. */
  public String value() {
    return key.substring(key.indexOf(':') + 1);
  }
}
