package dev.spindle.queue;

import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Refuses, before anything is added, a fan-in (a chord callback, or any node whose input is its
 * dependencies' results or outcomes) whose combined input can exceed the argument limit: the store
 * assembles that input only after every member ran, and a callback whose input is over the limit
 * can never run (it would be dead-lettered, {@code bad_args}, and no retry helps). When every
 * member's result has a bounded JSON size (numbers, booleans, characters, enums, {@code Void}), the
 * worst case is checked; otherwise the least the input can be (every result one byte, every
 * outcome its fixed fields) is, which still catches fan-ins too wide for any result. Stateless.
 */
final class FanInLimit {
  /** The longest JSON of a value of each bounded type ({@code null}, 4 bytes, included). */
  private static final Map<Type, Integer> BOUNDED = Map.ofEntries(Map.entry(Void.class, 4), Map.entry(void.class, 4),
      Map.entry(Boolean.class, 5), Map.entry(boolean.class, 5), Map.entry(Byte.class, 4), Map.entry(byte.class, 4),
      Map.entry(Short.class, 6), Map.entry(short.class, 6), Map.entry(Integer.class, 11), Map.entry(int.class, 11),
      Map.entry(Long.class, 20), Map.entry(long.class, 20), Map.entry(Float.class, 25), Map.entry(float.class, 25),
      Map.entry(Double.class, 25), Map.entry(double.class, 25), Map.entry(Character.class, 8),
      Map.entry(char.class, 8));
  /** The fixed part of one outcome: {@code {"jobId":"1","state":"FAILED","result":null,"error":null}}. */
  private static final int LEAST_OUTCOME = "{\"jobId\":\"1\",\"state\":\"FAILED\",\"result\":null,\"error\":null}"
      .length();

  private FanInLimit() {}

  /**
   * Checks every fan-in node of {@code nodes} against {@code maxBytes}.
   *
   * @throws IllegalArgumentException if one's combined input can exceed the limit (the message says
   *     which node, how large it can be, and what to do)
   */
  static void check(List<Workflow.Node> nodes, int maxBytes) {
    for (int i = 0; i < nodes.size(); i++) {
      Workflow.Node n = nodes.get(i);
      WorkflowInput mode = n.inputMode();
      if (mode != WorkflowInput.RESULTS && mode != WorkflowInput.OUTCOMES) {
        continue;
      }
      long bytes = 2 + Math.max(0, n.deps().size() - 1); // brackets and commas
      boolean bounded = mode == WorkflowInput.RESULTS;
      for (Workflow.Edge e : n.deps()) {
        Integer most = mode == WorkflowInput.RESULTS ? maxJsonBytes(nodes.get(e.parent()).task().outputType()) : null;
        bounded &= most != null;
        bytes += most != null ? most : mode == WorkflowInput.RESULTS ? 1 : LEAST_OUTCOME;
      }
      if (bytes > maxBytes) {
        throw new IllegalArgumentException(String.format(Locale.ROOT, "node %d (task '%s') combines the %s of %,d jobs"
            + " into its input, which can be %s%,d bytes of JSON, over the argument limit of %,d bytes: it could"
            + " never run (it would be dead-lettered once they all ran). Split the fan-in (a chord of smaller chords),"
            + " have the members return less (or a reference such as a path), or raise the limit"
            + " (JobQueue.Builder.codec, and the workers' codec); nothing was added", i, n.task().name(),
            mode == WorkflowInput.RESULTS ? "results" : "outcomes", n.deps().size(), bounded ? "up to " : "at least ",
            bytes, maxBytes));
      }
    }
  }

  /** The longest JSON of a value of {@code type}, or {@code null} if it is not bounded. */
  static @Nullable Integer maxJsonBytes(Type type) {
    Integer known = BOUNDED.get(type);
    if (known != null) {
      return known;
    }
    if (type instanceof Class<?> c && c.isEnum()) {
      int most = 4;
      for (Object constant : c.getEnumConstants()) {
        most = Math.max(most, ((Enum<?>) constant).name().getBytes(StandardCharsets.UTF_8).length + 2);
      }
      return most;
    }
    return null;
  }
}
