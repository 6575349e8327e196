package dev.spindle.web.internal;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobNotFoundException;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.CancelResult;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.JobInspector;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.queue.spi.QueueControl;
import dev.spindle.queue.spi.StoreAdmin;
import dev.spindle.web.Credentials;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What the API and pages do to the queue, through its API and SPI only: every change is audited.
 * Thread-safe.
 */
public final class QueueService {
  private final JobStore store;
  private final StoreAdmin admin;
  private final JobInspector inspector;
  private final QueueControl control;
  private final String description;
  private final JobQueue queue;
  private final Clock clock;
  private final AuditTrail audit;
  private final Supervisors supervisors;
  private final dev.spindle.queue.Redaction redaction;

  /** A service over {@code queue} and the operators' side {@code admin} of its store, without supervisors. */
  public QueueService(JobQueue queue, StoreAdmin admin, AuditTrail audit) {
    this(queue, admin, audit, new Supervisors(null));
  }

  /**
   * A service over {@code queue} and the operators' side {@code admin} of its store that also shows
   * the supervisor masters of this host.
   */
  public QueueService(JobQueue queue, StoreAdmin admin, AuditTrail audit, Supervisors supervisors) {
    this(queue, admin, audit, supervisors, dev.spindle.queue.Redaction.of(queue.registry()));
  }

  /** {@link #QueueService(JobQueue, StoreAdmin, AuditTrail, Supervisors)} showing jobs through {@code redaction}. */
  public QueueService(JobQueue queue, StoreAdmin admin, AuditTrail audit, Supervisors supervisors,
      dev.spindle.queue.Redaction redaction) {
    this.redaction = redaction;
    this.supervisors = supervisors;
    this.queue = queue;
    this.store = queue.store();
    this.admin = admin;
    this.inspector = admin.inspector();
    this.control = admin.control();
    this.description = admin.describe();
    this.clock = queue.clock();
    this.audit = audit;
  }

  /** The operators' side of the store. */
  public StoreAdmin admin() {
    return admin;
  }

  /** The store's description (read once). */
  public String describe() {
    return description;
  }

  /** The queue client. */
  public JobQueue queue() {
    return queue;
  }

  /** The clock. */
  public Clock clock() {
    return clock;
  }

  /** The supervisor masters of this host. */
  public Supervisors supervisors() {
    return supervisors;
  }

  /** The audit trail. */
  public AuditTrail audit() {
    return audit;
  }

  /**
   * The store's inspector.
   *
   * @throws Problem 501 if the store has none
   */
  public JobInspector inspector() {
    if (inspector == null) {
      throw Problem.notImplemented("the store " + description + " offers no inspector (listing, requeue, purge)");
    }
    return inspector;
  }

  /**
   * The waiting jobs whose task no live worker of their queue knows, by queue then task ({@link
   * JobInspector#unroutable}, on the store's clock).
   *
   * @throws Problem 501 if the store has no inspector
   */
  public java.util.List<dev.spindle.queue.spi.UnroutableTask> unroutable() {
    return inspector().unroutable(store.storeTime());
  }

  /**
   * Per task, the jobs in the store whose body may have run twice at once (attempts ledger); empty if
   * there are none or the store keeps no ledger.
   */
  public java.util.Map<String, Long> duplicates() {
    return admin.attempts().map(dev.spindle.queue.spi.AttemptLedger::duplicatesByTask).orElse(java.util.Map.of());
  }

  /** Paused queue names (empty if the store cannot pause queues). */
  public Set<String> pausedQueues() {
    return control == null ? Set.of() : control.pausedQueues();
  }

  /**
   * The store's queue controls.
   *
   * @throws Problem 501 if the store has none
   */
  public QueueControl control(String what) {
    if (control == null) {
      throw Problem.notImplemented("the store " + description + " cannot " + what
          + " (its backend does not implement QueueControl yet)");
    }
    return control;
  }

  /**
   * The statistics the store keeps, or {@code null} if it keeps none (the overview then shows no
   * wait times or charts).
   */
  public dev.spindle.queue.spi.@Nullable JobStatistics statistics() {
    return admin.statistics().orElse(null);
  }

  /** Names of the paused schedules (empty if the store cannot pause schedules). */
  public Set<String> pausedSchedules() {
    return control == null ? Set.of() : control.pausedSchedules();
  }

  /**
   * Pauses (or resumes) a schedule.
   *
   * @throws Problem 404 if there is no such schedule, 501 if the store cannot pause schedules
   */
  public void pauseSchedule(Credentials.User who, String name, boolean pause) {
    QueueControl c = control("pause schedules");
    boolean found = pause ? c.pauseSchedule(name) : c.resumeSchedule(name);
    if (!found) {
      throw Problem.notFound("no schedule named '" + dev.spindle.spi.Echo.of(name) + "'");
    }
    audit.record(who, pause ? "schedule.pause" : "schedule.resume", name, null);
  }

  /** Pauses a queue: no worker claims its jobs until resumed. */
  public void pause(Credentials.User who, String queueName) {
    control("pause queues").pauseQueue(queueName);
    audit.record(who, "queue.pause", queueName, null);
  }

  /** Resumes a paused queue. */
  public void resume(Credentials.User who, String queueName) {
    control("resume queues").resumeQueue(queueName);
    audit.record(who, "queue.resume", queueName, null);
  }

  /**
   * Deletes one finished job.
   *
   * @throws Problem 404 if there is none, 409 if it is not finished
   */
  public void delete(Credentials.User who, String id) {
    switch (control("delete single jobs").deleteJob(id)) {
      case NOT_FOUND -> throw new JobNotFoundException(id);
      case NOT_FINISHED -> throw Problem.conflict("job " + id + " is not finished; cancel it first");
      case DELETED -> audit.record(who, "job.delete", id, null);
    }
  }

  /** What an action on selected jobs did: how many changed, and why each other one did not. */
  public record Selected(int done, java.util.Map<String, String> skipped) {}

  /**
   * Retries, cancels or deletes the jobs {@code ids} (each in its own atomic store call, as the
   * single-job actions), audited as one entry naming the action, the count, the ids and the
   * {@code filter} the operator had on screen.
   *
   * @throws Problem 400 for an unknown action
   */
  public Selected actOnSelected(Credentials.User who, String action, List<String> ids, String filter) {
    if (!List.of("retry", "cancel", "delete").contains(action)) {
      throw Problem.badRequest("action must be retry, cancel or delete, not '" + dev.spindle.spi.Echo.of(action) + "'");
    }
    Instant now = clock.instant();
    int done = 0;
    java.util.Map<String, String> skipped = new java.util.LinkedHashMap<>();
    for (String id : ids) {
      try {
        switch (action) {
          case "retry" -> inspector().requeue(id, now);
          case "cancel" -> {
            CancelResult r = store.cancel(id, now);
            if (r == CancelResult.NOT_FOUND || r == CancelResult.ALREADY_FINISHED) {
              skipped.put(id, r == CancelResult.NOT_FOUND ? "no such job" : "already finished");
              continue;
            }
          }
          default -> {
            QueueControl.DeleteResult r = control("delete single jobs").deleteJob(id);
            if (r != QueueControl.DeleteResult.DELETED) {
              skipped.put(id, r == QueueControl.DeleteResult.NOT_FOUND ? "no such job" : "not finished");
              continue;
            }
          }
        }
        done++;
      } catch (dev.spindle.queue.JobNotFoundException e) {
        skipped.put(id, "no such job");
      } catch (dev.spindle.queue.IllegalJobTransitionException e) {
        skipped.put(id, "not in a state that allows it (" + e.from() + ")");
      }
    }
    String verb = switch (action) {
      case "retry" -> "requeued";
      case "cancel" -> "cancelled";
      default -> "deleted";
    };
    String target = "selected " + ids.size() + " job(s) " + String.join(",", ids.stream().limit(50).toList())
        + (ids.size() > 50 ? ",..." : "") + (filter.isBlank() ? "" : " from filter " + filter);
    audit.record(who, "jobs." + action, target, done + " " + verb + (skipped.isEmpty() ? "" : ", " + skipped.size()
        + " skipped"));
    return new Selected(done, skipped);
  }

  /**
   * A job as it may be shown: sensitive fields masked, encrypted payloads shown as encrypted with
   * their key id ({@link dev.spindle.queue.Redaction}).
   */
  public JobInfo shown(JobInfo job) {
    return redaction.apply(job);
  }

  /**
   * Each flow limit with what its keys hold now (at most {@code maxKeys} each); a key whose value
   * comes from a sensitive argument field is shown masked. Empty if the store enforces no limits.
   */
  public List<FlowLimitsView.Limit> flowLimits(int maxKeys) {
    Optional<dev.spindle.queue.spi.FlowAdmin> admin = this.admin.flowAdmin();
    if (admin.isEmpty()) {
      return List.of();
    }
    List<FlowLimitsView.Limit> out = new java.util.ArrayList<>();
    for (dev.spindle.queue.FlowLimit l : admin.get().limits()) {
      boolean masked = l.argument() != null && redaction.masksAnywhere(java.util.Objects.requireNonNull(l.argument()));
      out.add(new FlowLimitsView.Limit(l, admin.get().keys(l.name(), maxKeys), masked));
    }
    return out;
  }

  /** A job as stored (use {@link #shown} before showing it). */
  public Optional<JobInfo> find(String id) {
    return store.find(id);
  }

  /** What the durable {@code job} recorded, as it may be shown; empty if nothing (or no durable store). */
  public Optional<dev.spindle.queue.DurableView> durableView(JobInfo job) {
    return dev.spindle.queue.DurableView.of(store, job, redaction);
  }

  /**
   * The job's attempts ledger, its errors shown through the redaction; empty if the store keeps no
   * ledger or the job is gone.
   */
  public Optional<dev.spindle.queue.AttemptsView> attemptsView(JobInfo job) {
    return dev.spindle.queue.AttemptsView.of(admin, job, redaction);
  }

  /**
   * What {@code job} reported while it ran (progress and kept log lines), as it may be shown
   * ({@link dev.spindle.queue.Redaction#apply(JobInfo, dev.spindle.queue.JobProgress)}); empty if the
   * store keeps no reports or the job is gone.
   */
  public Optional<dev.spindle.queue.JobProgress> progress(JobInfo job) {
    return store.progress().flatMap(p -> p.view(job.id())).map(p -> redaction.apply(job, p));
  }

  /** True if the store keeps what running jobs report. */
  public boolean keepsProgress() {
    return store.progress().isPresent();
  }

  /**
   * Sends the signal {@code name} with the JSON {@code payloadJson} to job {@code id}, audited as
   * {@code job.signal}.
   *
   * @throws JobNotFoundException if there is no such job
   * @throws Problem 409 if the job has finished or holds too many signals not yet taken (nothing
   *     stored), 400 if the name or payload breaks the durable rules, 501 if the store has no
   *     durable execution
   */
  public dev.spindle.queue.spi.SignalResult signal(Credentials.User who, String id, String name,
      String payloadJson) {
    dev.spindle.queue.spi.DurableStore durable = store.durable().orElseThrow(() -> Problem.notImplemented(
        "the store " + description + " has no durable execution: signals cannot be sent"));
    dev.spindle.queue.spi.SignalResult r;
    try {
      r = durable.signal(dev.spindle.queue.spi.JobRef.id(id), name, payloadJson,
          dev.spindle.queue.DurableRules.defaults(), clock.instant());
    } catch (IllegalArgumentException e) {
      throw Problem.badRequest(e.getMessage());
    }
    switch (r) {
      case NO_SUCH_JOB -> throw new JobNotFoundException(id);
      case FINISHED -> throw Problem.conflict("job " + id + " has finished: the signal was not stored");
      case FULL -> throw Problem.conflict("job " + id + " holds too many signals not yet taken: the signal was not"
          + " stored");
      case STORED, WOKE -> audit.record(who, "job.signal", id, name);
    }
    return r;
  }

  /**
   * Requeues a FAILED, DEAD or CANCELLED job.
   *
   * @throws JobNotFoundException if there is none
   */
  public JobInfo retry(Credentials.User who, String id) {
    JobInfo j = inspector().requeue(id, clock.instant());
    audit.record(who, "job.retry", id, null);
    return j;
  }

  /**
   * The workflow of job {@code id} (any of its jobs).
   *
   * @throws JobNotFoundException if there is no such job
   */
  public dev.spindle.queue.WorkflowGraph workflow(String id) {
    return dev.spindle.queue.WorkflowResume.of(queue, admin).graph(id);
  }

  /**
   * Previews ({@code dryRun}) or resumes the workflow of job {@code id}; a resume is audited (the
   * node and what moved, never the arguments).
   *
   * @throws Problem 409 if the job is encrypted and this dashboard has no key ring
   */
  public dev.spindle.queue.ResumePlan resumeWorkflow(Credentials.User who, String id,
      @org.jspecify.annotations.Nullable String node, @org.jspecify.annotations.Nullable String argsJson,
      boolean dryRun) {
    dev.spindle.queue.WorkflowResume r = dev.spindle.queue.WorkflowResume.of(queue, admin);
    try {
      if (dryRun) {
        return r.preview(id, node, argsJson);
      }
      dev.spindle.queue.ResumePlan done = r.resume(id, node, argsJson);
      audit.record(who, "workflow.resume", done.nodeId(), done.summary());
      return done;
    } catch (IllegalStateException e) {
      throw Problem.conflict(String.valueOf(e.getMessage()));
    }
  }

  /** Cancels a job. */
  public CancelResult cancel(Credentials.User who, String id) {
    CancelResult r = store.cancel(id, clock.instant());
    if (r == CancelResult.NOT_FOUND) {
      throw new JobNotFoundException(id);
    }
    audit.record(who, "job.cancel", id, r.name());
    return r;
  }

  /**
   * Requeues every FAILED, DEAD or CANCELLED job matching the filter, in the store.
   *
   * @return how many
   */
  public int retryMatching(Credentials.User who, JobFilter filter, int max) {
    for (JobState s : filter.states()) {
      if (!s.isTerminal() || s == JobState.SUCCEEDED) {
        throw Problem.badRequest("only failed, dead or cancelled jobs can be retried, not " + s);
      }
    }
    JobFilter f = filter.states().isEmpty()
        ? filter.withStates(java.util.EnumSet.of(JobState.FAILED, JobState.DEAD, JobState.CANCELLED)) : filter;
    Instant now = clock.instant();
    int n = 0;
    if (control != null) {
      int k;
      while (n < max && (k = control.requeueMatching(f.withLimit(Math.min(1000, max - n)), now)) > 0) {
        n += k;
      }
      audit.record(who, "jobs.retry", describe(f), n + " requeued");
      return n;
    }
    String before = null;
    while (n < max) {
      List<JobInfo> page = inspector().listJobs(f.withLimit(Math.min(500, max - n)).withBeforeId(before));
      if (page.isEmpty()) {
        break;
      }
      for (JobInfo j : page) {
        try {
          inspector.requeue(j.id(), now);
          n++;
        } catch (RuntimeException e) {
          // it moved on meanwhile (requeued or purged by someone else): skip it
        }
      }
      before = page.get(page.size() - 1).id();
    }
    audit.record(who, "jobs.retry", describe(f), n + " requeued");
    return n;
  }

  /**
   * Cancels every waiting or running job matching the filter.
   *
   * @return how many were cancelled or asked to stop
   */
  public int cancelMatching(Credentials.User who, JobFilter filter, int max) {
    for (JobState s : filter.states()) {
      if (s.isTerminal()) {
        throw Problem.badRequest("only scheduled, queued or running jobs can be cancelled, not " + s);
      }
    }
    JobFilter f = filter.states().isEmpty()
        ? filter.withStates(java.util.EnumSet.of(JobState.SCHEDULED, JobState.QUEUED, JobState.RUNNING)) : filter;
    Instant now = clock.instant();
    int n = 0;
    if (control != null) {
      int k;
      while (n < max && (k = control.cancelMatching(f.withLimit(Math.min(1000, max - n)), now)) > 0) {
        n += k;
      }
      audit.record(who, "jobs.cancel", describe(f), n + " cancelled");
      return n;
    }
    String before = null;
    while (n < max) {
      List<JobInfo> page = inspector().listJobs(f.withLimit(Math.min(500, max - n)).withBeforeId(before));
      if (page.isEmpty()) {
        break;
      }
      for (JobInfo j : page) {
        CancelResult r = store.cancel(j.id(), now);
        if (r == CancelResult.CANCELLED || r == CancelResult.CANCEL_REQUESTED) {
          n++;
        }
      }
      before = page.get(page.size() - 1).id();
    }
    audit.record(who, "jobs.cancel", describe(f), n + " cancelled");
    return n;
  }

  /**
   * Deletes finished jobs matching the filter.
   *
   * @return how many
   */
  public long purgeMatching(Credentials.User who, JobFilter filter, long max) {
    for (JobState s : filter.states()) {
      if (!s.isTerminal()) {
        throw Problem.badRequest("only finished jobs can be purged, not " + s + " ones; cancel them first");
      }
    }
    long total = 0;
    int n;
    while (total < max && (n = inspector().purge(filter.withLimit((int) Math.min(1000, max - total)))) > 0) {
      total += n;
    }
    audit.record(who, "jobs.purge", describe(filter), total + " purged");
    return total;
  }

  /** Sets a queue's limit (0 = none). */
  public void setLimit(Credentials.User who, String queueName, int limit) {
    store.setQueueLimit(queueName, limit);
    audit.record(who, "queue.limit", queueName, Integer.toString(limit));
  }

  static String describe(JobFilter f) {
    StringBuilder b = new StringBuilder();
    if (!f.states().isEmpty()) {
      b.append("state=").append(f.states().stream().map(Enum::name).sorted().toList()).append(' ');
    }
    if (f.queue() != null) {
      b.append("queue=").append(f.queue()).append(' ');
    }
    if (f.task() != null) {
      b.append("task=").append(f.task()).append(' ');
    }
    if (f.finishedBefore() != null) {
      b.append("finishedBefore=").append(f.finishedBefore()).append(' ');
    }
    if (f.finishedAfter() != null) {
      b.append("finishedAfter=").append(f.finishedAfter()).append(' ');
    }
    if (f.createdAfter() != null) {
      b.append("createdAfter=").append(f.createdAfter()).append(' ');
    }
    if (f.createdBefore() != null) {
      b.append("createdBefore=").append(f.createdBefore()).append(' ');
    }
    if (f.text() != null) {
      b.append("text=").append(dev.spindle.spi.Echo.of(f.text())).append(' ');
    }
    return b.isEmpty() ? "all" : b.toString().trim();
  }
}
