package dev.spindle.web.internal;

import dev.spindle.queue.JobError;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.spi.QueueSummary;
import dev.spindle.queue.spi.WorkerRecord;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** JSON forms of the queue's records, and parsing of request bodies. Thread-safe. */
public final class Json {
  /** The shared mapper. */
  public static final JsonMapper MAPPER = JsonMapper.builder().build();

  private Json() {}

  /** A new empty object. */
  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /** A new empty array. */
  public static ArrayNode array() {
    return MAPPER.createArrayNode();
  }

  /**
   * Parses a request body.
   *
   * @throws Problem 400 saying where the JSON is broken
   */
  public static JsonNode parse(String body) {
    if (body == null || body.isBlank()) {
      throw Problem.badRequest("the request needs a JSON body");
    }
    try {
      return MAPPER.readTree(body);
    } catch (JacksonException e) {
      throw Problem.badRequest("malformed JSON: " + e.getOriginalMessage());
    }
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

  /** A job, with links under {@code root}, the dashboard's context path ("" when standalone). */
  public static ObjectNode job(JobInfo j, String root) {
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
    o.put("fence", j.fence());
    o.put("workerId", j.workerId());
    o.put("cancelRequested", j.cancelRequested());
    o.put("createdAt", time(j.createdAt()));
    o.put("runAt", time(j.runAt()));
    o.put("startedAt", time(j.startedAt()));
    o.put("finishedAt", time(j.finishedAt()));
    o.put("expiresAt", time(j.expiresAt()));
    ObjectNode policy = o.putObject("policy");
    policy.put("timeout", j.policy().timeout() == null ? null : j.policy().timeout().toString());
    policy.put("maxAttempts", j.policy().retry().maxAttempts());
    policy.put("maxWorkerLost", j.policy().maxWorkerLost());
    ObjectNode links = o.putObject("links");
    links.put("self", root + "/api/v1/jobs/" + j.id());
    links.put("result", root + "/api/v1/jobs/" + j.id() + "/result");
    return o;
  }

  private static @Nullable JsonNode error(JobInfo j) {
    try {
      return error(j.error().orElseThrow());
    } catch (RuntimeException e) {
      return raw(j.errorJson());
    }
  }

  static ObjectNode error(JobError e) {
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

  /** A queue summary. */
  public static ObjectNode queue(QueueSummary q, boolean paused) {
    ObjectNode o = object();
    o.put("name", q.queue());
    ObjectNode counts = o.putObject("counts");
    for (dev.spindle.queue.JobState s : dev.spindle.queue.JobState.values()) {
      counts.put(s.name(), q.count(s));
    }
    o.put("waiting", q.waiting());
    o.put("running", q.count(dev.spindle.queue.JobState.RUNNING));
    o.put("limit", q.limit());
    o.put("paused", paused);
    return o;
  }

  /** A worker. */
  public static ObjectNode worker(WorkerRecord w, Instant now) {
    ObjectNode o = object();
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
}
