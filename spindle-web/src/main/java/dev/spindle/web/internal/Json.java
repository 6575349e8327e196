package dev.spindle.web.internal;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobState;
import dev.spindle.queue.RecordJson;
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
    return RecordJson.raw(json);
  }

  static @Nullable String time(@Nullable Instant t) {
    return RecordJson.time(t);
  }

  /**
   * A job ({@link RecordJson#job}) with its fence and its links under {@code root}, the
   * dashboard's context path ("" when standalone).
   */
  public static ObjectNode job(JobInfo j, String root) {
    ObjectNode o = RecordJson.job(j);
    o.put("fence", j.fence());
    ObjectNode links = o.putObject("links");
    links.put("self", root + "/api/v1/jobs/" + j.id());
    links.put("result", root + "/api/v1/jobs/" + j.id() + "/result");
    return o;
  }

  /** A queue ({@link RecordJson#queue}) with its waiting and running counts, and whether it is paused. */
  public static ObjectNode queue(QueueSummary q, boolean paused) {
    ObjectNode o = RecordJson.queue(q);
    o.put("waiting", q.waiting());
    o.put("running", q.count(JobState.RUNNING));
    o.put("paused", paused);
    return o;
  }

  /** A worker ({@link RecordJson#worker}). */
  public static ObjectNode worker(WorkerRecord w, Instant now) {
    return RecordJson.worker(w, now);
  }
}
