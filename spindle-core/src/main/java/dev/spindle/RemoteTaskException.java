package dev.spindle;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A task failed in another JVM (a child process or a queue worker). Carries the remote exception's
 * class name and message, and its stack trace as this exception's stack trace; the remote cause
 * chain is kept as a chain of {@code RemoteTaskException}s.
 */
public class RemoteTaskException extends RuntimeException {
  private final String remoteType;
  private final @Nullable String remoteMessage;

  public RemoteTaskException(String remoteType, @Nullable String remoteMessage, List<StackTraceElement> stack,
      @Nullable RemoteTaskException cause) {
    super(remoteType + (remoteMessage == null ? "" : ": " + remoteMessage), cause, false, true);
    this.remoteType = remoteType;
    this.remoteMessage = remoteMessage;
    setStackTrace(stack.toArray(StackTraceElement[]::new));
  }

  /** The fully qualified class name of the exception thrown remotely. */
  public String remoteType() {
    return remoteType;
  }

  /** The remote exception's message, or {@code null}. */
  public @Nullable String remoteMessage() {
    return remoteMessage;
  }
}
