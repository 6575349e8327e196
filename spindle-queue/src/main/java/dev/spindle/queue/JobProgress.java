package dev.spindle.queue;

import dev.spindle.TaskContext;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a job reported while it ran ({@link TaskContext#progress}, {@link TaskContext#log}): its
 * latest progress and its last log lines, as the store keeps them with the job (and removes them with
 * it). Immutable.
 *
 * @param fraction the latest progress, 0 to 1; null if the job reported none
 * @param message the latest progress message ("" if none)
 * @param updatedAt when the latest progress was reported (the worker's clock); null if none
 * @param lines the last log lines kept, oldest first (at most the worker's {@link ProgressLimits#maxLines()})
 * @param linesTotal how many lines the job logged in all, kept or dropped: the sequence number of its
 *     last line
 */
public record JobProgress(@Nullable Double fraction, String message, @Nullable Instant updatedAt,
    List<Line> lines, long linesTotal) {
  /** A job that reported nothing. */
  public static final JobProgress NONE = new JobProgress(null, "", null, List.of(), 0);

  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  /** Checks the values; copies {@code lines}. */
  public JobProgress {
    Objects.requireNonNull(message, "message");
    lines = List.copyOf(lines);
    if (fraction != null && !(fraction >= 0 && fraction <= 1)) {
      throw new IllegalArgumentException("fraction must be from 0 to 1, got " + fraction);
    }
    if (linesTotal < lines.size()) {
      throw new IllegalArgumentException("linesTotal " + linesTotal + " < " + lines.size() + " lines kept");
    }
  }

  /**
   * One log line of a job.
   *
   * @param seq its number in the job's log, from 1, assigned by the store (0 in a line not yet stored)
   * @param at when the task logged it (the worker's clock)
   * @param level how important it is
   * @param message its text, at most the worker's {@link ProgressLimits#maxLineChars()}
   */
  public record Line(long seq, Instant at, TaskContext.LogLevel level, String message) {
    /** Checks the values. */
    public Line {
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(level, "level");
      Objects.requireNonNull(message, "message");
      if (seq < 0) {
        throw new IllegalArgumentException("seq must be >= 0, got " + seq);
      }
    }

    /** The same line numbered {@code seq}. */
    public Line numbered(long seq) {
      return new Line(seq, at, level, message);
    }
  }

  /** True if the job reported neither progress nor log lines. */
  public boolean isEmpty() {
    return fraction == null && linesTotal == 0;
  }

  /** The lines numbered above {@code seq} (for followers that saw the lines up to it). */
  public List<Line> linesAfter(long seq) {
    return lines.stream().filter(l -> l.seq() > seq).toList();
  }

  /**
   * This progress with every message replaced by {@link Redaction#MASK} (the fraction, levels and
   * times stay): how a job whose payloads are encrypted or hold sensitive fields is shown.
   */
  public JobProgress masked() {
    return new JobProgress(fraction, message.isEmpty() ? "" : Redaction.MASK, updatedAt,
        lines.stream().map(l -> new Line(l.seq(), l.at(), l.level(), Redaction.MASK)).toList(), linesTotal);
  }

  /**
   * As JSON: {@code {"fraction":0.4,"message":"..","updatedAt":"..","linesTotal":12,"lines":[{"seq":..,
   * "at":"..","level":"INFO","message":".."}]}}; {@code fraction} and {@code updatedAt} are null if
   * no progress was reported.
   */
  public ObjectNode toJson() {
    ObjectNode o = MAPPER.createObjectNode();
    if (fraction == null) {
      o.putNull("fraction");
    } else {
      o.put("fraction", fraction);
    }
    o.put("message", message);
    o.put("updatedAt", updatedAt == null ? null : updatedAt.toString());
    o.put("linesTotal", linesTotal);
    ArrayNode a = o.putArray("lines");
    for (Line l : lines) {
      a.addObject().put("seq", l.seq()).put("at", l.at().toString()).put("level", l.level().name())
          .put("message", l.message());
    }
    return o;
  }
}
