package dev.spindle.queue;

import dev.spindle.queue.spi.JobStore;
import dev.spindle.queue.spi.StepLog;
import dev.spindle.queue.spi.StepRecord;
import dev.spindle.queue.spi.WaitFor;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A durable job's record as operators see it (the CLI's {@code jobs show}, the REST API's {@code
 * /jobs/{id}/steps}, the dashboard's job page): its steps in the order they ran, the signals kept for
 * it and what it waits for now. Step results pass through a {@link Redaction} first, so masked fields
 * and encrypted payloads are shown as they are in the job's arguments. Immutable; thread-safe.
 *
 * @param steps the recorded steps, by sequence
 * @param signals per signal name, how many the store keeps for the job (taken or not), by name
 * @param waitingFor what the job waits for now, or {@code null} if it does not wait
 */
public record DurableView(List<Step> steps, Map<String, Integer> signals, @Nullable Wait waitingFor) {
  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  public DurableView {
    steps = List.copyOf(steps);
    signals = Map.copyOf(signals);
  }

  /**
   * One recorded step.
   *
   * @param name the step's name ({@code ~sleep}, {@code ~signal:<name>}, {@code ~now} and {@code ~uuid}
   *     for the context's own records)
   * @param occurrence 0-based: the how-many-th step of that name
   * @param kind {@code VALUE} (a body's result or a recorded value), {@code TIMER}, {@code SIGNAL}
   *     or {@code CALL}
   * @param attempt the job's attempt that recorded it
   * @param tookMillis how long the body ran, in milliseconds (0 for records without a body)
   * @param recordedAt when the store wrote it, on the store's clock
   * @param resultJson the recorded JSON as it may be shown, or {@code null}
   */
  public record Step(String name, int occurrence, String kind, int attempt, long tookMillis, Instant recordedAt,
      @Nullable String resultJson) {}

  /**
   * What a suspended job waits for.
   *
   * @param kind {@code TIMER}, {@code SIGNAL} or {@code JOB}
   * @param signal the awaited signal's name ({@code SIGNAL}) or job's id ({@code JOB}), or {@code null}
   *     for a timer
   * @param until when the job runs again anyway: the timer's fire time or the wait's timeout
   */
  public record Wait(String kind, @Nullable String signal, Instant until) {}

  /**
   * The record of {@code job} in {@code store}, its results shown through {@code redaction}; empty if
   * the store has no durable execution, the job is gone, or it recorded nothing and waits for nothing.
   */
  public static Optional<DurableView> of(JobStore store, JobInfo job, Redaction redaction) {
    Objects.requireNonNull(redaction, "redaction");
    return store.durable().flatMap(d -> d.view(job.id()))
        .filter(log -> !log.steps().isEmpty() || !log.signalCounts().isEmpty() || log.waitingFor() != null)
        .map(log -> of(log, job.task(), redaction));
  }

  private static DurableView of(StepLog log, String task, Redaction redaction) {
    List<Step> steps = log.steps().stream().map(s -> step(s, task, redaction)).toList();
    WaitFor w = log.waitingFor();
    Wait wait = w == null ? null : new Wait(w.kind().name(), w.signal(), w.until());
    return new DurableView(steps, new TreeMap<>(log.signalCounts()), wait);
  }

  private static Step step(StepRecord s, String task, Redaction redaction) {
    String shown = s.resultJson() == null ? null : redaction.show(task, s.resultJson());
    return new Step(s.name(), s.occurrence(), s.kind().name(), s.attempt(), s.tookMillis(), s.recordedAt(), shown);
  }

  /**
   * This record as JSON: {@code {steps: [{name, occurrence, kind, attempt, tookMillis, recordedAt,
   * result}], signals: {name: count}, waitingFor: {kind, signal, until} (a job wait: {kind, signal: null, job,
   * until}) | null}}, results as JSON
   * values, times as ISO-8601 instants.
   */
  public ObjectNode toJson() {
    ObjectNode o = MAPPER.createObjectNode();
    ArrayNode list = o.putArray("steps");
    for (Step s : steps) {
      ObjectNode n = list.addObject();
      n.put("name", s.name());
      n.put("occurrence", s.occurrence());
      n.put("kind", s.kind());
      n.put("attempt", s.attempt());
      n.put("tookMillis", s.tookMillis());
      n.put("recordedAt", s.recordedAt().toString());
      n.set("result", RecordJson.raw(s.resultJson()));
    }
    ObjectNode counts = o.putObject("signals");
    new TreeMap<>(signals).forEach(counts::put);
    if (waitingFor == null) {
      o.putNull("waitingFor");
    } else {
      ObjectNode w = o.putObject("waitingFor");
      w.put("kind", waitingFor.kind());
      boolean job = waitingFor.kind().equals(WaitFor.Kind.JOB.name());
      w.put("signal", job ? null : waitingFor.signal());
      if (job) {
        w.put("job", waitingFor.signal());
      }
      w.put("until", waitingFor.until().toString());
    }
    return o;
  }
}
