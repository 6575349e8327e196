package dev.spindle.examples.basics;

import dev.spindle.Task;
import dev.spindle.TaskCatalog;
import dev.spindle.TaskRegistry;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;

/** The tasks of the small programs that run on pools (child JVMs load this catalog by name). */
public final class BasicsTasks implements TaskCatalog {
  /** {@code basics.generate-hash}: the SHA-256 of a byte string, in hex (the text's generate_hash). */
  public static final Task<byte[], String> GENERATE_HASH =
      Task.of("basics.generate-hash", byte[].class, String.class, BasicsTasks::sha256);

  /** A portable registry holding this catalog. */
  public static final TaskRegistry REGISTRY = TaskRegistry.of(BasicsTasks.class);

  /** Public for {@link TaskRegistry}'s reflective construction. */
  public BasicsTasks() {}

  @Override
  public Collection<Task<?, ?>> tasks() {
    return List.of(GENERATE_HASH);
  }

  static String sha256(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
