package dev.spindle.queue.spi;

import dev.spindle.queue.DependencyPolicy;
import java.util.Objects;

/**
 * One dependency as stored: {@code childId} waits for {@code parentId}. Immutable.
 *
 * @param parentId the job waited for
 * @param childId the waiting (dependent) job
 * @param policy what the parent's failure does to the child
 * @param position the parent's place among the child's dependencies (its input order), or
 *     {@link #ADDED} for a child that a running dependency added (waited for, not an input)
 */
public record DependencyEdge(String parentId, String childId, DependencyPolicy policy, int position) {
  /** The position of a dependency that a running job added to its dependents ({@link JobStore#addChildren}). */
  public static final int ADDED = -1;

  public DependencyEdge {
    Objects.requireNonNull(parentId, "parentId");
    Objects.requireNonNull(childId, "childId");
    Objects.requireNonNull(policy, "policy");
  }
}
