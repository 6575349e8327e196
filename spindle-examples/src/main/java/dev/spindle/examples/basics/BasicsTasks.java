package dev.spindle.examples.basics;

import dev.spindle.Task;
import dev.spindle.TaskCatalog;
import dev.spindle.TaskRegistry;
import dev.spindle.process.Pipe;
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

  /** A message of the pipe example: a string and how many times to repeat it (the text's tuple). */
  public record Tuple(String text, int times) {}

  /**
   * {@code basics.make-string}: the text's make_string, in a child JVM: receives a {@link Tuple}
   * on its end of the pipe and sends back the string repeated that many times.
   */
  public static final Task<Pipe.Descriptor, String> MAKE_STRING =
      Task.of("basics.make-string", Pipe.Descriptor.class, String.class, end -> {
        Pipe.End<Tuple> pipe = Pipe.open(end, Tuple.class);
        Tuple t = pipe.recv();
        String repeated = t.text().repeat(t.times());
        pipe.send(new Tuple(repeated, t.times()));
        return repeated;
      });

  /** A portable registry holding this catalog. */
  public static final TaskRegistry REGISTRY = TaskRegistry.of(BasicsTasks.class);

  /** Public for {@link TaskRegistry}'s reflective construction. */
  public BasicsTasks() {}

  @Override
  public Collection<Task<?, ?>> tasks() {
    return List.of(GENERATE_HASH, MAKE_STRING);
  }

  static String sha256(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
