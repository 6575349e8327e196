package dev.spindle.queue.internal;

import dev.spindle.queue.Workflow;
import java.util.List;

/** Adds a workflow as children of a running job (see {@code RunningJob#addChildren}). Thread-safe. */
@FunctionalInterface
public interface ChildSubmitter {
  /** Adds {@code children} to the job {@code parentId} claimed under {@code fence}; returns their ids. */
  List<String> add(String parentId, long fence, Workflow children);
}
