package dev.spindle.spi;

/**
 * The outcome of one input of a chunk sent by {@link MapSupport}: an output, or the exception the
 * task threw for that input. Immutable.
 *
 * @param value the output when it succeeded (may be null)
 * @param error the task's exception when it failed (for other JVMs a
 *     {@link dev.spindle.RemoteTaskException}), else null
 * @param <O> output type
 */
public record Outcome<O>(O value, Throwable error) {
  /** A successful outcome. */
  public static <O> Outcome<O> success(O value) {
    return new Outcome<>(value, null);
  }

  /** A failed outcome. */
  public static <O> Outcome<O> failure(Throwable error) {
    return new Outcome<>(null, java.util.Objects.requireNonNull(error, "error"));
  }

  /** True if the task returned normally. */
  public boolean isSuccess() {
    return error == null;
  }
}
