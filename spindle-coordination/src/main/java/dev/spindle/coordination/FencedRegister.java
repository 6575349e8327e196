package dev.spindle.coordination;

import dev.spindle.coordination.spi.CoordinationBackend;
import java.util.Optional;

/**
 * A value in the coordinator's store guarded by fencing tokens: a write carries the writer's token
 * and is accepted only if no greater token has written before, atomically in the store (a Lua
 * script on Redis, one transaction on SQLite). A holder whose lease expired while it was paused
 * (GC, {@code SIGSTOP}) and whose successor has written is thus refused, however late it wakes.
 * Several writes under one token are accepted. For read-modify-write, read with
 * {@link #read(Lease)}, which raises the fence too. Thread-safe.
 */
public final class FencedRegister {
  private final CoordinationBackend backend;
  private final String name;

  FencedRegister(CoordinationBackend backend, String name) {
    this.backend = backend;
    this.name = name;
  }

  /** The register's name. */
  public String name() {
    return name;
  }

  /** The value and the token that wrote it, if it was ever written. */
  public Optional<RegisterValue> read() {
    return backend.read(name);
  }

  /**
   * Reads under the lease's token, raising the register's fence to it: from then on a holder with an
   * older token cannot write. Use it for read-modify-write (read, compute, {@link #write(Lease,
   * String)}): without it, an older holder that read the same value and was paused past its lease
   * could still write first, and both writes would be accepted.
   */
  public Optional<RegisterValue> read(Lease lease) {
    return backend.readFenced(name, lease.token());
  }

  /** Writes under the lease's token; false (nothing written) if a newer token wrote first. */
  public boolean write(Lease lease, String value) {
    return write(lease.token(), value);
  }

  /** Writes under {@code token}; false (nothing written) if a greater token wrote first. */
  public boolean write(long token, String value) {
    return backend.writeFenced(name, token, value);
  }
}
