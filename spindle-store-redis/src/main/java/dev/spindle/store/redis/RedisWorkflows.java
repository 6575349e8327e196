package dev.spindle.store.redis;

import dev.spindle.queue.IllegalJobTransitionException;
import dev.spindle.queue.JobNotFoundException;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.ResumeMove;
import dev.spindle.queue.spi.WorkflowControl;
import dev.spindle.queue.store.Workflows;
import dev.spindle.store.redis.internal.RedisLink;
import dev.spindle.store.redis.internal.Script;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The {@link WorkflowControl} of {@link RedisJobStore}: a resume is one script ({@code
 * resume.lua}), so the node's requeue, its new arguments and the dependents re-armed are written
 * together; a retried call (after a lost reply) returns the first call's moves. Thread-safe.
 */
final class RedisWorkflows implements WorkflowControl {
  private final RedisJobStore store;
  private final RedisLink link;

  RedisWorkflows(RedisJobStore store, RedisLink link) {
    this.store = store;
    this.link = link;
  }

  @Override
  public List<ResumeMove> resume(String jobId, @Nullable String argsJson, Instant now) {
    String id = RedisJobStore.canonicalId(jobId);
    if (id == null) {
      throw new JobNotFoundException(jobId);
    }
    List<?> r = link.script(Script.RESUME, true, store.rid(), id, store.nowArg(now), argsJson == null ? "0" : "1",
        argsJson == null ? "" : argsJson);
    return switch ((String) r.get(0)) {
      case "OK" -> moves((String) r.get(1));
      case "NOT_FOUND" -> throw new JobNotFoundException(jobId);
      case "INPUT" -> throw new IllegalArgumentException(Workflows.noOwnArgs(id));
      case "DEPENDS" -> throw new IllegalJobTransitionException(id, JobState.valueOf((String) r.get(2)),
          JobState.QUEUED, "job " + id + " depends on job " + r.get(1) + ", which ended in a way that cancels it:"
          + " resume that one");
      default -> {
        JobState from = JobState.valueOf((String) r.get(1));
        if (r.size() > 2) {
          throw new IllegalJobTransitionException(id, from, JobState.valueOf((String) r.get(2)),
              Workflows.dependenciesRunning(id));
        }
        throw new IllegalJobTransitionException(id, from, JobState.QUEUED, "only a FAILED or DEAD node can be"
            + " resumed; this one is " + from);
      }
    };
  }

  private static List<ResumeMove> moves(String text) {
    List<ResumeMove> out = new ArrayList<>();
    for (String m : text.split(",")) {
      String[] p = m.split(":");
      out.add(new ResumeMove(p[0], JobState.valueOf(p[1]), JobState.valueOf(p[2])));
    }
    return out;
  }
}
