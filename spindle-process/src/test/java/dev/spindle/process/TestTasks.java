package dev.spindle.process;

import dev.spindle.Task;
import dev.spindle.TaskCatalog;
import java.util.Collection;
import java.util.List;

/** Tasks of the process-model tests, rebuilt by class name in the worker JVMs. */
public final class TestTasks implements TaskCatalog {
  /** What the initializer of this worker stored, or null. */
  static volatile String initialized;

  public static final Task<Integer, Integer> NOOP = Task.of("test.noop", Integer.class, Integer.class, x -> x);

  public static final Task<String, Long> PID = Task.of("test.pid", String.class, Long.class,
      s -> ProcessHandle.current().pid());

  public static final Task<String, String> INIT = Task.of("test.init", String.class, String.class, s -> {
    initialized = s + "@" + ProcessHandle.current().pid();
    return initialized;
  });

  public static final Task<String, String> READ_INIT = Task.of("test.read-init", String.class, String.class,
      s -> initialized);

  public static final Task<String, String> FAIL_INIT = Task.of("test.fail-init", String.class, String.class, s -> {
    throw new IllegalStateException("initializer refuses: " + s);
  });

  public static final Task<String, String> PRINT = Task.of("test.print", String.class, String.class, s -> {
    System.out.println("a task printing to System.out: " + s);
    System.out.flush();
    return s;
  });

  public static final Task<Integer, Integer> HALT = Task.of("test.halt", Integer.class, Integer.class, code -> {
    Runtime.getRuntime().halt(code);
    return code;
  });

  /**
   * Writes its input, a JSON object, as one frame straight to the protocol stream (file descriptor
   * 1) as if the worker had sent it, then returns (its real answer follows that frame).
   */
  public static final Task<String, String> SEND_FRAME = Task.of("test.send-frame", String.class, String.class, json -> {
    byte[] body = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] frame = java.nio.ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array();
    try {
      java.io.FileOutputStream fd1 = new java.io.FileOutputStream(java.io.FileDescriptor.out);
      fd1.write(frame);
      fd1.flush();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return json;
  });

  public TestTasks() {}

  @Override
  public Collection<Task<?, ?>> tasks() {
    return List.of(NOOP, PID, INIT, READ_INIT, FAIL_INIT, PRINT, HALT, SEND_FRAME);
  }
}
