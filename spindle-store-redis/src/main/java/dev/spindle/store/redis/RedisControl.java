package dev.spindle.store.redis;

import dev.spindle.queue.IllegalJobTransitionException;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobNotFoundException;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.AuditLog;
import dev.spindle.queue.spi.AuditRecord;
import dev.spindle.queue.spi.CancelResult;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.QueueControl;
import dev.spindle.store.redis.internal.RedisLink;
import dev.spindle.store.redis.internal.Script;
import dev.spindle.store.redis.internal.TabText;
import dev.spindle.store.redis.internal.Times;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The {@link QueueControl} and {@link AuditLog} of {@link RedisJobStore}: pausing queues and
 * schedules, bulk requeue and cancel (each job by its own atomic script, paging through the
 * filter), deleting finished jobs, and the audit list. Thread-safe.
 */
final class RedisControl implements QueueControl, AuditLog {
  private final RedisJobStore store;
  private final RedisInspector inspector;
  private final RedisLink link;
  private final String prefix;
  private final java.util.Optional<dev.spindle.queue.spi.WorkflowControl> workflows;

  RedisControl(RedisJobStore store, RedisInspector inspector, RedisLink link, String prefix) {
    this.workflows = java.util.Optional.of(new RedisWorkflows(store, link));
    this.store = store;
    this.inspector = inspector;
    this.link = link;
    this.prefix = prefix;
  }

  @Override
  public java.util.Optional<dev.spindle.queue.spi.WorkflowControl> workflows() {
    return workflows;
  }

  @Override
  public void pauseQueue(String queue) {
    JobOptions.validateQueue(queue);
    link.script(Script.PAUSE, true, queue, "1");
  }

  @Override
  public void resumeQueue(String queue) {
    JobOptions.validateQueue(queue);
    link.script(Script.PAUSE, true, queue, "0");
  }

  @Override
  public Set<String> pausedQueues() {
    return Set.copyOf(link.call("pausedQueues", true, c -> c.smembers(prefix + "paused")));
  }

  /** Each matching job is requeued by its own atomic script (the scan pages through the filter). */
  @Override
  public int requeueMatching(JobFilter filter, Instant now) {
    JobFilter f = filter.withStates(QueueControl.statesWithin(filter, QueueControl.requeueStates(), "requeued"));
    int n = 0;
    for (JobInfo j : inspector.listJobs(f)) {
      try {
        inspector.requeue(j.id(), now);
        n++;
      } catch (JobNotFoundException | IllegalJobTransitionException e) {
        // moved on meanwhile (requeued or purged by someone else)
      }
    }
    return n;
  }

  /** Each matching job is cancelled by its own atomic script. */
  @Override
  public int cancelMatching(JobFilter filter, Instant now) {
    JobFilter f = filter.withStates(QueueControl.statesWithin(filter, QueueControl.cancelStates(), "cancelled"));
    int n = 0;
    String before = f.beforeId();
    while (n < f.limit()) {
      List<JobInfo> page = inspector.listJobs(f.withBeforeId(before).withLimit(Math.min(500, f.limit())));
      if (page.isEmpty()) {
        break;
      }
      for (JobInfo j : page) {
        if (n >= f.limit()) {
          break;
        }
        if (j.state() == JobState.RUNNING && j.cancelRequested()) {
          continue;
        }
        CancelResult r = store.cancel(j.id(), now);
        if (r == CancelResult.CANCELLED || r == CancelResult.CANCEL_REQUESTED) {
          n++;
        }
      }
      before = page.get(page.size() - 1).id();
    }
    return n;
  }

  @Override
  public DeleteResult deleteJob(String jobId) {
    String id = RedisJobStore.canonicalId(jobId);
    if (id == null) {
      return DeleteResult.NOT_FOUND;
    }
    String r = link.script(Script.DELETE_JOB, true, id);
    return DeleteResult.valueOf(r);
  }

  @Override
  public boolean pauseSchedule(String name) {
    Long n = link.script(Script.PAUSE_SCHEDULE, true, name, "1");
    return n > 0;
  }

  @Override
  public boolean resumeSchedule(String name) {
    Long n = link.script(Script.PAUSE_SCHEDULE, true, name, "0");
    return n > 0;
  }

  @Override
  public Set<String> pausedSchedules() {
    return Set.copyOf(link.call("pausedSchedules", true, c -> c.smembers(prefix + "spaused")));
  }

  @Override
  public void appendAudit(AuditRecord r) {
    String entry = String.join("\t", Times.encode(r.at()), TabText.esc(r.user()), TabText.esc(r.action()), TabText.esc(r.target()),
        r.detail() == null ? "0" : "1" + TabText.esc(r.detail()));
    link.script(Script.AUDIT, false, entry, Integer.toString(AuditLog.KEPT));
  }

  @Override
  public List<AuditRecord> recentAudit(int limit) {
    List<String> raw = link.call("recentAudit", true, c -> c.lrange(prefix + "audit", 0, limit - 1));
    List<AuditRecord> out = new ArrayList<>(raw.size());
    for (String line : raw) {
      String[] p = line.split("\t", -1);
      out.add(new AuditRecord(Long.parseLong(p[0]), Times.instant(p[1]), TabText.unesc(p[2]), TabText.unesc(p[3]), TabText.unesc(p[4]),
          p[5].startsWith("1") ? TabText.unesc(p[5].substring(1)) : null));
    }
    return out;
  }
}
