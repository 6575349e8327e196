package dev.spindle.cli.queue;

import dev.spindle.queue.FlowLimit;
import dev.spindle.queue.JobError;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobState;
import dev.spindle.queue.Schedule;
import dev.spindle.queue.spi.QueueSummary;
import dev.spindle.queue.spi.WorkerRecord;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code --json} forms of the queue's records. Field names are camelCase, the same as the REST
 * API's ({@code /api/v1}), and stable: docs/CLI.md lists them. Times are ISO-8601 instants in UTC,
 * durations ISO-8601 durations ({@code PT30S}), absent values {@code null}. Thread-safe.
 */
final class CliJson {
  /** The shared mapper. */
  static final JsonMapper MAPPER = JsonMapper.builder().build();

  private CliJson() {}

  /** A new empty object. */
  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /** Prints {@code doc} as one line on {@code out}: the whole of a {@code --json} command's output. */
  static void print(PrintStream out, JsonNode doc) {
    out.println(MAPPER.writeValueAsString(doc));
    out.flush();
  }

  /** Stored JSON text as a node; text that is not JSON becomes a string node. */
  static @Nullable JsonNode raw(@Nullable String json) {
    if (json == null) {
      return null;
    }
    try {
      return MAPPER.readTree(json);
    } catch (JacksonException e) {
      return MAPPER.getNodeFactory().stringNode(json);
    }
  }

  static @Nullable String time(@Nullable Instant t) {
    return t == null ? null : t.toString();
  }

  static @Nullable String duration(@Nullable Duration d) {
    return d == null ? null : d.toString();
  }

  /** A job: every field of {@link JobInfo} but the fence and trace context. */
  static ObjectNode job(JobInfo j) {
    ObjectNode o = object();
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

  private static ObjectNode error(JobError e) {
    ObjectNode o = object();
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

  /** A queue with its job count per state ({@code counts.QUEUED} etc.) and its concurrency limit (0: none). */
  static ObjectNode queue(QueueSummary q) {
    ObjectNode o = object();
    o.put("name", q.queue());
    o.put("limit", q.limit());
    ObjectNode counts = o.putObject("counts");
    for (JobState s : JobState.values()) {
      counts.put(s.name(), q.count(s));
    }
    return o;
  }

  /** A worker, alive or not on the store's clock {@code now}. */
  static ObjectNode worker(WorkerRecord w, Instant now) {
    ObjectNode o = object();
    o.put("id", w.id());
    o.put("name", w.name());
    o.put("host", w.host());
    o.put("pid", w.pid());
    ArrayNode qs = o.putArray("queues");
    w.queues().forEach(qs::add);
    o.put("concurrency", w.concurrency());
    o.put("model", w.model());
    o.put("state", w.isAlive(now) ? w.state() : "EXPIRED");
    o.put("alive", w.isAlive(now));
    o.put("startedAt", time(w.startedAt()));
    o.put("heartbeatAt", time(w.heartbeatAt()));
    o.put("leaseUntil", time(w.leaseUntil()));
    o.put("running", w.running());
    o.put("processed", w.processed());
    o.put("failed", w.failed());
    o.put("ratePerSecond", w.ratePerSecond());
    o.put("clockSkew", duration(w.clockSkew()));
    return o;
  }

  /** A schedule with its next and last tick. */
  static ObjectNode schedule(Schedule s, @Nullable Instant next, @Nullable Instant last) {
    ObjectNode o = object();
    o.put("name", s.name());
    o.put("task", s.task());
    o.set("args", raw(s.argsJson()));
    o.put("trigger", s.describeTrigger());
    o.put("misfire", s.misfire().name().toLowerCase(Locale.ROOT));
    o.put("queue", s.jobOptions().queue());
    o.put("nextFireAt", time(next));
    o.put("lastFireAt", time(last));
    return o;
  }

  /** A flow limit: its name and its spec, as {@code flow set} takes it. */
  static ObjectNode flow(FlowLimit l) {
    ObjectNode o = object();
    o.put("name", l.name());
    o.put("spec", l.toSpec());
    return o;
  }
}
