package dev.spindle.queue;

import dev.spindle.RemoteTaskException;
import dev.spindle.TaskFailedException;
import dev.spindle.spi.JsonCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Why a job failed, as stored with it: the exception's type, message, stack (at most
 * {@value #MAX_FRAMES} frames) and cause chain (at most {@value #MAX_CAUSES} deep). Plain data,
 * never a serialized Java object. Immutable.
 *
 * @param type the exception's fully qualified class name (for dead-lettered jobs, a descriptive type
 *     such as {@code dev.spindle.UnknownTaskException})
 * @param message its message, or {@code null}
 * @param stack frames as {@code class|method|file|line}
 * @param cause the cause, or {@code null}
 */
public record JobError(String type, @Nullable String message, List<String> stack, @Nullable JobError cause) {
  /** Frames kept per exception. */
  public static final int MAX_FRAMES = 64;
  /** Causes kept in a chain. */
  public static final int MAX_CAUSES = 8;
  private static final int MAX_MESSAGE = 8_000;

  public JobError {
    Objects.requireNonNull(type, "type");
    stack = stack == null ? List.of() : List.copyOf(stack);
  }

  /** An error without a stack, e.g. for a job dead-lettered by the store or a worker. */
  public static JobError of(String type, @Nullable String message) {
    return new JobError(type, message, List.of(), null);
  }

  /**
   * Captures a throwable. A {@link TaskFailedException} is unwrapped to its cause, and a
   * {@link RemoteTaskException} keeps the remote type and message.
   */
  public static JobError from(Throwable t) {
    Throwable root = t instanceof TaskFailedException && t.getCause() != null ? t.getCause() : t;
    return capture(root, 0);
  }

  private static JobError capture(Throwable t, int depth) {
    String type = t instanceof RemoteTaskException r ? r.remoteType() : t.getClass().getName();
    String message = t instanceof RemoteTaskException r ? r.remoteMessage() : t.getMessage();
    if (message != null && message.length() > MAX_MESSAGE) {
      message = message.substring(0, MAX_MESSAGE) + "... (" + message.length() + " characters)";
    }
    StackTraceElement[] st = t.getStackTrace();
    List<String> frames = new ArrayList<>(Math.min(st.length, MAX_FRAMES));
    for (int i = 0; i < st.length && i < MAX_FRAMES; i++) {
      StackTraceElement e = st[i];
      frames.add(e.getClassName() + "|" + e.getMethodName() + "|"
          + (e.getFileName() == null ? "" : e.getFileName()) + "|" + e.getLineNumber());
    }
    Throwable c = t.getCause();
    JobError cause = c != null && c != t && depth + 1 < MAX_CAUSES ? capture(c, depth + 1) : null;
    return new JobError(type, message, frames, cause);
  }

  /** Rebuilds the failure as a {@link RemoteTaskException} chain, as local futures report it. */
  public RemoteTaskException toException() {
    RemoteTaskException c = cause == null ? null : cause.toException();
    List<StackTraceElement> elements = new ArrayList<>(stack.size());
    for (String f : stack) {
      String[] p = f.split("\\|", -1);
      if (p.length == 4) {
        int line;
        try {
          line = Integer.parseInt(p[3]);
        } catch (NumberFormatException e) {
          line = -1;
        }
        elements.add(new StackTraceElement(p[0], p[1], p[2].isEmpty() ? null : p[2], line));
      }
    }
    return new RemoteTaskException(type, message, elements, c);
  }

  /** The JSON form stores keep. */
  public String toJson() {
    return JsonCodec.defaults().toJson(this, "job error");
  }

  /**
   * Reads {@link #toJson()} output.
   *
   * @throws dev.spindle.PayloadException if malformed
   */
  public static JobError fromJson(String json) {
    return JsonCodec.defaults().fromJson(json, JobError.class, "job error");
  }

  /** {@code type: message}. */
  public String summary() {
    return message == null ? type : type + ": " + message;
  }
}
