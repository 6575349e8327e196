package dev.spindle.spi;

import org.jspecify.annotations.Nullable;

/**
 * The outcome of one input of a chunk sent by {@link MapSupport}: an output, or the exception the
 * task threw for that input. Immutable.
 *
 * @param value the output when it succeeded (may be null)
 * @param error the task's exception when it failed (for other JVMs a
 *     {@link dev.spindle.RemoteTaskException}), else null
 * @param <O> output type
 */
public record Outcome<O>(O value, @Nullable Throwable error) {
  /** A successful outcome. */
  public static <O> Outcome<O> success(O value) {
    return new Outcome<>(value, null);
  }

  /** A failed outcome. Its value is absent: {@code null} whatever {@code O} is. */
  @SuppressWarnings("NullAway") // O is unconstrained; NullAway cannot say "null of any O"
  public static <O> Outcome<O> failure(Throwable error) {
    return new Outcome<>(null, java.util.Objects.requireNonNull(error, "error"));
  }

  /** True if the task returned normally. */
  public boolean isSuccess() {
    return error == null;
  }
}
