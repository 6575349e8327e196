package dev.spindle.thumbnails.internal;

import dev.spindle.thumbnails.FailureReason;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** A failure of one image with its {@link FailureReason}; the message says what exactly was wrong. */
final class ImageProblem extends Exception {
  private final FailureReason reason;

  public ImageProblem(FailureReason reason, @Nullable String message) {
    this(reason, message, null);
  }

  public ImageProblem(FailureReason reason, @Nullable String message, @Nullable Throwable cause) {
    super(message, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public FailureReason reason() {
    return reason;
  }
}
