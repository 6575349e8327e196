package dev.spindle.queue;

import dev.spindle.PayloadException;

/**
 * An encrypted payload failed authentication or is not a well-formed envelope: a byte was altered,
 * or the ciphertext was moved from a job of another task. The message names the key id and task,
 * never a key or plaintext. Retrying does not help; the worker dead-letters such a job as
 * {@link JobInfo#BAD_ARGS}.
 */
public final class PayloadTamperedException extends PayloadException {
  private static final long serialVersionUID = 1L;

  /** With a message saying what failed. */
  public PayloadTamperedException(String message) {
    super(message);
  }
}
