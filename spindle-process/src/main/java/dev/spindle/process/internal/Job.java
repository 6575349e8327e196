package dev.spindle.process.internal;

import dev.spindle.Task;
import java.util.EnumSet;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One unit sent to a worker: a single execution or a map chunk, with its encoded frame. Guarded by
 * the executor's lock.
 *
 * <table>
 *   <caption>Allowed transitions of {@link State}</caption>
 *   <tr><th>from</th><th>to</th><th>when</th></tr>
 *   <tr><td>QUEUED</td><td>SENT</td><td>sent ahead to a busy worker</td></tr>
 *   <tr><td>QUEUED</td><td>RUNNING</td><td>sent to an idle worker (it is its head)</td></tr>
 *   <tr><td>QUEUED</td><td>DONE</td><td>cancelled, or failed because the pool broke</td></tr>
 *   <tr><td>SENT</td><td>RUNNING</td><td>the job before it on the worker finished</td></tr>
 *   <tr><td>SENT</td><td>QUEUED</td><td>its worker died, or it was taken back for an idle worker</td></tr>
 *   <tr><td>SENT</td><td>DONE</td><td>cancelled (a skip is sent)</td></tr>
 *   <tr><td>RUNNING</td><td>DONE</td><td>answered, cancelled, or its worker died</td></tr>
 * </table>
 */
final class Job {
  enum State {
    QUEUED, SENT, RUNNING, DONE;

    private static final Map<State, EnumSet<State>> ALLOWED = Map.of(
        QUEUED, EnumSet.of(SENT, RUNNING, DONE),
        SENT, EnumSet.of(RUNNING, QUEUED, DONE),
        RUNNING, EnumSet.of(DONE),
        DONE, EnumSet.noneOf(State.class));
  }

  final long key;
  /** The encoded message; dropped once done so that a kept future does not hold the payload. */
  byte @Nullable [] frame;
  final int size;
  final boolean chunk;
  final Task<?, ?> task;
  final ProcessTaskFuture<?> future;
  State state = State.QUEUED;
  @Nullable WorkerConnection worker;
  /** A skip was sent to take it back for another worker. */
  boolean reclaiming;
  /** tryStart refused it (cancelled just before it became the worker's head). */
  boolean startRefused;
  long startedNanos;

  Job(long key, byte[] frame, int size, boolean chunk, Task<?, ?> task, ProcessTaskFuture<?> future) {
    this.key = key;
    this.frame = frame;
    this.size = size;
    this.chunk = chunk;
    this.task = task;
    this.future = future;
  }

  /** The worker it was sent to; only for a job that was sent (SENT, or RUNNING on its worker). */
  WorkerConnection sentTo() {
    WorkerConnection w = worker;
    if (w == null) {
      throw new IllegalStateException(this + " was not sent to a worker");
    }
    return w;
  }

  void moveTo(State next) {
    if (!State.ALLOWED.getOrDefault(state, EnumSet.noneOf(State.class)).contains(next)) {
      throw new IllegalStateException("job " + key + " of task '" + task.name() + "': illegal move " + state
          + " -> " + next);
    }
    state = next;
    if (next == State.DONE) {
      frame = null;
    }
  }

  @Override
  public String toString() {
    return "Job[" + key + " " + task.name() + (chunk ? " x" + size : "") + " " + state + "]";
  }
}
