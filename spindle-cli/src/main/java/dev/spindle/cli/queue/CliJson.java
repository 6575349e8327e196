package dev.spindle.cli.queue;

import dev.spindle.queue.FlowLimit;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.RecordJson;
import dev.spindle.queue.Schedule;
import dev.spindle.queue.spi.QueueSummary;
import dev.spindle.queue.spi.WorkerRecord;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
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
    return RecordJson.raw(json);
  }

  static @Nullable String time(@Nullable Instant t) {
    return RecordJson.time(t);
  }

  static @Nullable String duration(@Nullable Duration d) {
    return RecordJson.duration(d);
  }

  /** A job: every field of {@link JobInfo} but the fence and trace context ({@link RecordJson#job}). */
  static ObjectNode job(JobInfo j) {
    return RecordJson.job(j);
  }

  /** A queue with its job count per state ({@code counts.QUEUED} etc.) and its concurrency limit (0: none). */
  static ObjectNode queue(QueueSummary q) {
    return RecordJson.queue(q);
  }

  /** A worker ({@link RecordJson#worker}), {@code EXPIRED} once its lease ran out, with its clock skew. */
  static ObjectNode worker(WorkerRecord w, Instant now) {
    ObjectNode o = RecordJson.worker(w, now);
    if (!w.isAlive(now)) {
      o.put("state", "EXPIRED");
    }
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
