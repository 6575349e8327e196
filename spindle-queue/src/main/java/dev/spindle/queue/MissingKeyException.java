package dev.spindle.queue;

import java.util.Set;

/**
 * An encrypted payload names a key the reader's {@link KeyRing} does not hold (or the reader has no
 * ring). The message names the key id and the ids the ring holds, never key material. A worker fails
 * the job with this error under its retry policy and leaves the encrypted arguments as they are, so
 * the job runs once a worker with the key retries it.
 */
public final class MissingKeyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String keyId;

  /**
   * @param keyId the key the payload names
   * @param held the key ids the reader holds (empty: no ring)
   */
  public MissingKeyException(String keyId, Set<String> held) {
    super("the payload is encrypted with key '" + keyId + "', which "
        + (held.isEmpty() ? "this process has no key ring to decrypt (configure one with the key)"
            : "this process's key ring does not hold (it holds " + String.join(", ", held) + ")"));
    this.keyId = keyId;
  }

  /** The id of the missing key. */
  public String keyId() {
    return keyId;
  }
}
