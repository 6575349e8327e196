package dev.spindle;

import java.lang.reflect.Type;
import java.util.Objects;

/**
 * A unit of work defined once and run unchanged on every {@link ExecutionModel}: a name, the type of
 * its JSON-serializable input and output, and the code.
 *
 * <p>The name is the task's identity across process and machine boundaries: a child JVM or a queue
 * worker finds the code by looking the name up in its {@link TaskRegistry} (an allow-list). Names
 * are 1–200 characters of letters, digits, {@code . _ - : /}.
 *
 * <p>Input and output must round-trip through JSON (Jackson): records, primitives and their
 * boxes, strings, lists and maps of those. In-JVM models pass the objects as they are; the
 * {@code PROCESSES} and {@code DISTRIBUTED} models serialize them.
 *
 * <p>Instances are immutable and thread-safe; keep them in {@code static final} fields.
 *
 * <pre>{@code
 * static final Task<Long, Boolean> IS_PRIME =
 *     Task.of("primes.is-prime", Long.class, Boolean.class, Primes::isPrime);
 * }</pre>
 *
 * @param <I> input type
 * @param <O> output type
 */
public final class Task<I, O> {
  /** The longest task name, in characters. */
  public static final int MAX_NAME_LENGTH = 200;

  private final String name;
  private final Type inputType;
  private final Type outputType;
  private final TaskFunction<I, O> function;

  private Task(String name, Type inputType, Type outputType, TaskFunction<I, O> function) {
    this.name = validateName(name);
    this.inputType = Objects.requireNonNull(inputType, "inputType");
    this.outputType = Objects.requireNonNull(outputType, "outputType");
    this.function = Objects.requireNonNull(function, "function");
  }

  /** Defines a task whose code does not need its {@link TaskContext}. */
  public static <I, O> Task<I, O> of(
      String name, Class<I> inputType, Class<O> outputType, ThrowingFunction<I, O> function) {
    Objects.requireNonNull(function, "function");
    return new Task<>(name, inputType, outputType, (input, ctx) -> function.apply(input));
  }

  /** Defines a task whose code reads its {@link TaskContext} (cancellation, attempt, worker). */
  public static <I, O> Task<I, O> withContext(
      String name, Class<I> inputType, Class<O> outputType, TaskFunction<I, O> function) {
    return new Task<>(name, inputType, outputType, function);
  }

  /** Defines a task with generic input or output types, e.g. {@code new TypeRef<List<Long>>() {}}. */
  public static <I, O> Task<I, O> generic(
      String name, TypeRef<I> inputType, TypeRef<O> outputType, TaskFunction<I, O> function) {
    return new Task<>(name, inputType.type(), outputType.type(), function);
  }

  /** Checks a task name, returning it; {@link IllegalArgumentException} says what is wrong. */
  public static String validateName(String name) {
    Objects.requireNonNull(name, "task name");
    if (!isValidName(name)) {
      String shown = name.length() > 60 ? name.substring(0, 60) + "... (" + name.length() + " chars)" : name;
      throw new IllegalArgumentException("invalid task name '" + escape(shown)
          + "': use 1-" + MAX_NAME_LENGTH + " characters of letters, digits and . _ - : /");
    }
    return name;
  }

  /**
   * True if {@code name} is a valid task name: 1 to {@link #MAX_NAME_LENGTH} characters, each an
   * ASCII letter or digit or one of {@code . _ - : /}. The one task-name rule, used by every module.
   */
  public static boolean isValidName(String name) {
    int n = name.length();
    if (n == 0 || n > MAX_NAME_LENGTH) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = name.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '.' || c == '_' || c == '-' || c == ':' || c == '/';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  /** The task's unique name. */
  public String name() {
    return name;
  }

  /** The input type, a {@link Class} or a parameterized type. */
  public Type inputType() {
    return inputType;
  }

  /** The output type, a {@link Class} or a parameterized type. */
  public Type outputType() {
    return outputType;
  }

  /**
   * Runs the task's code on the calling thread.
   *
   * @throws Exception whatever the task throws
   */
  public O run(I input, TaskContext context) throws Exception {
    return function.run(input, context);
  }

  @Override
  public String toString() {
    return "Task[" + name + "]";
  }

  /** A task body that ignores its context. */
  @FunctionalInterface
  public interface ThrowingFunction<I, O> {
    /** Computes the output; any exception fails the execution. */
    O apply(I input) throws Exception;
  }
}
