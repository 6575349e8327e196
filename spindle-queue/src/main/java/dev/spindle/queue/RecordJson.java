package dev.spindle.queue;

import dev.spindle.queue.spi.QueueSummary;
import dev.spindle.queue.spi.WorkerRecord;
import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The JSON forms of the queue's records, one definition for every place that prints them (the REST
 * API and the command line's {@code --json}). Field names are camelCase and stable; times are
 * ISO-8601 instants in UTC, durations ISO-8601 durations ({@code PT30S}), absent values
 * {@code null}; stored JSON (arguments, results) is embedded as JSON, or as a string where it is
 * not JSON. Callers may add fields of their own to the returned objects. Stateless and thread-safe.
 */
public final class RecordJson {
  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  private RecordJson() {}

  /**
   * A job: identity, state, arguments, result, error, attempts, times and policy. Leaves out the
   * fencing token and the trace context.
   *
   * @param j the job
   * @return a new object
   */
  public static ObjectNode job(JobInfo j) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("id", j.id());
    o.put("task", j.task());
    o.put("queue", j.queue());
    o.put("state", j.state().name());
    o.put("priority", j.priority());
    o.set("args", raw(j.argsJson()));
    o.set("result", raw(j.resultJson()));
    o.set("error", j.errorJson() == null ? null : error(j));
    o.put("deadReason", j.deadReason());
    o.put("uniqueKey", j.uniqueKey());
    o.put("attempt", j.attempt());
    o.put("failures", j.failures());
    o.put("workerLost", j.workerLost());
    o.put("workerId", j.workerId());
    o.put("cancelRequested", j.cancelRequested());
    o.put("createdAt", time(j.createdAt()));
    o.put("runAt", time(j.runAt()));
    o.put("startedAt", time(j.startedAt()));
    o.put("finishedAt", time(j.finishedAt()));
    o.put("expiresAt", time(j.expiresAt()));
    ObjectNode policy = o.putObject("policy");
    policy.put("timeout", duration(j.policy().timeout()));
    policy.put("maxAttempts", j.policy().retry().maxAttempts());
    policy.put("maxWorkerLost", j.policy().maxWorkerLost());
    return o;
  }

  private static @Nullable JsonNode error(JobInfo j) {
    try {
      return error(j.error().orElseThrow());
    } catch (RuntimeException e) {
      return raw(j.errorJson());
    }
  }

  /**
   * A job's error: type, message, stack frames as {@code class.method(file:line)}, and its cause.
   *
   * @param e the error
   * @return a new object
   */
  public static ObjectNode error(JobError e) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("type", e.type());
    o.put("message", e.message());
    ArrayNode st = o.putArray("stack");
    for (String f : e.stack()) {
      String[] p = f.split("\\|", -1);
      st.add(p.length == 4 ? p[0] + "." + p[1] + "(" + p[2] + ":" + p[3] + ")" : f);
    }
    if (e.cause() != null) {
      o.set("cause", error(e.cause()));
    }
    return o;
  }

  /**
   * A queue: its name, its job count per state ({@code counts.QUEUED} etc.) and its concurrency
   * limit (0: none).
   *
   * @param q the queue's summary
   * @return a new object
   */
  public static ObjectNode queue(QueueSummary q) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("name", q.queue());
    o.put("limit", q.limit());
    ObjectNode counts = o.putObject("counts");
    for (JobState s : JobState.values()) {
      counts.put(s.name(), q.count(s));
    }
    return o;
  }

  /**
   * A worker as it registered, with {@code alive} judged on the store's clock.
   *
   * @param w the worker
   * @param now the store's time
   * @return a new object
   */
  public static ObjectNode worker(WorkerRecord w, Instant now) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("id", w.id());
    o.put("name", w.name());
    o.put("host", w.host());
    o.put("pid", w.pid());
    ArrayNode qs = o.putArray("queues");
    w.queues().forEach(qs::add);
    o.put("concurrency", w.concurrency());
    o.put("model", w.model());
    o.put("state", w.state());
    o.put("alive", w.isAlive(now));
    o.put("startedAt", time(w.startedAt()));
    o.put("heartbeatAt", time(w.heartbeatAt()));
    o.put("leaseUntil", time(w.leaseUntil()));
    o.put("running", w.running());
    o.put("processed", w.processed());
    o.put("failed", w.failed());
    o.put("ratePerSecond", w.ratePerSecond());
    return o;
  }

  /**
   * Stored JSON text as a node.
   *
   * @param json the text, or {@code null}
   * @return the parsed node; a string node for text that is not JSON; {@code null} for {@code null}
   */
  public static @Nullable JsonNode raw(@Nullable String json) {
    if (json == null) {
      return null;
    }
    try {
      return MAPPER.readTree(json);
    } catch (JacksonException e) {
      return MAPPER.getNodeFactory().stringNode(json);
    }
  }

  /**
   * An instant as ISO-8601 text.
   *
   * @param t the instant, or {@code null}
   * @return its text, or {@code null}
   */
  public static @Nullable String time(@Nullable Instant t) {
    return t == null ? null : t.toString();
  }

  /**
   * A duration as ISO-8601 text.
   *
   * @param d the duration, or {@code null}
   * @return its text, or {@code null}
   */
  public static @Nullable String duration(@Nullable Duration d) {
    return d == null ? null : d.toString();
  }
}
