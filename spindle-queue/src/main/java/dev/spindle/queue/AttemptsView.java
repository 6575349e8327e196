package dev.spindle.queue;

import dev.spindle.queue.spi.AttemptRecord;
import dev.spindle.queue.spi.JobAttempts;
import dev.spindle.queue.spi.RefusedWrite;
import dev.spindle.queue.spi.StoreAdmin;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A job's attempts ledger as operators see it (the CLI's {@code jobs show}, the REST API's {@code
 * /jobs/{id}/attempts}, the dashboard's job page): each attempt with its worker, host, fence, times,
 * outcome and its own error, and the writes the fence refused. Errors pass through a {@link
 * Redaction} first, as the job's payloads do. Immutable; thread-safe.
 *
 * @param attempts the attempts kept, oldest first
 * @param refused the refused writes kept, oldest first
 * @param duplicate whether the job's body may have run twice at once ({@link JobAttempts#duplicate()})
 * @param keep how many of a job's last claims the store keeps
 */
public record AttemptsView(List<Attempt> attempts, List<Refused> refused, boolean duplicate, int keep) {
  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  public AttemptsView {
    attempts = List.copyOf(attempts);
    refused = List.copyOf(refused);
  }

  /**
   * One attempt.
   *
   * @param number the job's attempt count when it started
   * @param fence the fencing token of its claim
   * @param workerId the worker that ran it
   * @param host that worker's host, or {@code null} if unknown
   * @param startedAt when it was claimed (store's clock)
   * @param endedAt when it ended, or {@code null} while it runs
   * @param outcome how it ended ({@link dev.spindle.queue.spi.AttemptOutcome}'s name), or {@code null}
   *     while it runs
   * @param errorJson its own error as {@link JobError} JSON, as it may be shown, or {@code null}
   */
  public record Attempt(int number, long fence, String workerId, @Nullable String host, Instant startedAt,
      @Nullable Instant endedAt, @Nullable String outcome, @Nullable String errorJson) {
    /** The error's one-line summary ({@link JobError#summary()}), the JSON as it is if it is not a JobError, or "". */
    public String errorSummary() {
      if (errorJson == null) {
        return "";
      }
      try {
        return JobError.fromJson(errorJson).summary();
      } catch (RuntimeException e) {
        return errorJson;
      }
    }
  }

  /**
   * A write the fence refused.
   *
   * @param fence the fencing token the worker presented
   * @param workerId the refused worker
   * @param at when it was refused (store's clock)
   * @param attempted what it tried, e.g. {@code complete SUCCEEDED} or {@code step charge#0}
   */
  public record Refused(long fence, String workerId, Instant at, String attempted) {}

  /**
   * The ledger of {@code job} in the store {@code admin} reads, errors shown through {@code redaction};
   * empty if the store keeps no ledger or the job is gone.
   */
  public static Optional<AttemptsView> of(StoreAdmin admin, JobInfo job, Redaction redaction) {
    Objects.requireNonNull(redaction, "redaction");
    return admin.attempts().flatMap(l -> l.attempts(job.id()).map(a -> of(a, l.keep(), job.task(), redaction)));
  }

  private static AttemptsView of(JobAttempts a, int keep, String task, Redaction redaction) {
    List<Attempt> attempts = a.attempts().stream().map(r -> attempt(r, task, redaction)).toList();
    List<Refused> refused = a.refused().stream().map(AttemptsView::refused).toList();
    return new AttemptsView(attempts, refused, a.duplicate(), keep);
  }

  private static Attempt attempt(AttemptRecord r, String task, Redaction redaction) {
    return new Attempt(r.number(), r.fence(), r.workerId(), r.host(), r.startedAt(), r.endedAt(),
        r.outcome() == null ? null : r.outcome().name(), redaction.show(task, r.errorJson()));
  }

  private static Refused refused(RefusedWrite w) {
    return new Refused(w.fence(), w.workerId(), w.at(), w.attempted());
  }

  /**
   * This ledger as JSON: {@code {keep, duplicate, attempts: [{number, fence, workerId, host,
   * startedAt, endedAt, outcome, error}], refused: [{fence, workerId, at, attempted}]}}, errors as
   * JSON values, times as ISO-8601 instants (null while an attempt runs).
   */
  public ObjectNode toJson() {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("keep", keep);
    o.put("duplicate", duplicate);
    ArrayNode list = o.putArray("attempts");
    for (Attempt a : attempts) {
      ObjectNode n = list.addObject();
      n.put("number", a.number());
      n.put("fence", a.fence());
      n.put("workerId", a.workerId());
      n.put("host", a.host());
      n.put("startedAt", a.startedAt().toString());
      n.put("endedAt", a.endedAt() == null ? null : a.endedAt().toString());
      n.put("outcome", a.outcome());
      n.set("error", RecordJson.raw(a.errorJson()));
    }
    ArrayNode refusals = o.putArray("refused");
    for (Refused r : refused) {
      ObjectNode n = refusals.addObject();
      n.put("fence", r.fence());
      n.put("workerId", r.workerId());
      n.put("at", r.at().toString());
      n.put("attempted", r.attempted());
    }
    return o;
  }
}
