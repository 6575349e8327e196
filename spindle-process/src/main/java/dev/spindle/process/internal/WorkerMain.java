package dev.spindle.process.internal;

import dev.spindle.PayloadException;
import dev.spindle.Task;
import dev.spindle.TaskContext;
import dev.spindle.TaskRegistry;
import dev.spindle.process.supervise.ParentWatchdog;
import dev.spindle.spi.JsonCodec;
import dev.spindle.spi.TraceContextBinder;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;

/**
 * The entry point of a worker JVM of the {@code PROCESSES} model. Never start it by hand: the
 * parent's executor launches it with the protocol on standard input and output.
 *
 * <p>It reads the {@code hello} frame, rebuilds the task registry from the catalog class names,
 * runs the initializer, answers {@code ready}, then runs one task at a time in the order the
 * frames arrive, answering each with its key. Standard output is taken over by the protocol:
 * {@code System.out} is redirected to standard error so that a task's prints cannot corrupt it.
 * The worker exits after acknowledging a {@code stop}, and by itself when the parent dies
 * (standard input reaches end-of-file, or the parent pid disappears).
 */
public final class WorkerMain {
  /** Exit status when start-up failed (unknown catalog, initializer threw). */
  public static final int EXIT_STARTUP_FAILED = 3;
  /** Exit status when the parent spoke something that is not the protocol. */
  public static final int EXIT_PROTOCOL_ERROR = 71;

  private static final Object STOP_MARK = new Object();

  private final DataInputStream in;
  private final FrameWriter out;
  private final Protocol protocol;
  private final BlockingQueue<Object> work = new LinkedBlockingQueue<>();
  private String workerName = "worker";
  /** Rebuilt from the hello frame's catalogs; null until the handshake. */
  private @Nullable TaskRegistry registry;
  private int maxBytes = JsonCodec.DEFAULT_MAX_BYTES;
  private int maxFrameBytes = 64 << 20;
  private long tasksRun;
  private volatile boolean stopping;
  /** Reads the parent's frames once the handshake is done (started by {@link #run}). */
  private final Thread reader;

  private WorkerMain(DataInputStream in, FrameWriter out) {
    this.in = in;
    this.out = out;
    this.protocol = new Protocol(JsonCodec.defaults().mapper());
    this.reader = new Thread(this::readLoop, "spindle-worker-reader");
    reader.setDaemon(true);
  }

  /** Runs the worker; see the class description. */
  public static void main(String[] args) {
    FileOutputStream protocolOut = new FileOutputStream(FileDescriptor.out);
    System.setOut(System.err);
    ParentWatchdog.startFromEnvironment();
    DataInputStream in = new DataInputStream(new BufferedInputStream(new FileInputStream(FileDescriptor.in), 1 << 16));
    FrameWriter writer = new FrameWriter(protocolOut, "spindle-worker-writer",
        e -> ParentWatchdog.parentDied("cannot write to the parent (" + e.getMessage() + ")"));
    new WorkerMain(in, writer).run();
  }

  private void run() {
    try {
      handshake();
    } catch (Throwable t) {
      Frames.Builder b = new Frames.Builder(512);
      JsonGenerator g = protocol.begin(b, Protocol.FATAL);
      g.writeName("error");
      Protocol.writeError(g, t);
      out.send(Protocol.end(g, b));
      out.close();
      try {
        out.awaitClosed(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      System.exit(EXIT_STARTUP_FAILED);
    }
    reader.start();
    workLoop();
  }

  private void handshake() throws Exception {
    byte[] frame = Frames.read(in, maxFrameBytes);
    if (frame == null) {
      ParentWatchdog.parentDied("standard input closed before the hello frame");
      throw new EOFException("standard input closed before the hello frame"); // not reached: the JVM halts
    }
    JsonParser p = protocol.open(frame);
    String op = Protocol.readRequiredString(p, "op");
    if (!Protocol.HELLO.equals(op)) {
      throw new Frames.ProtocolException("expected hello, got " + op);
    }
    workerName = Protocol.readRequiredString(p, "worker");
    Protocol.expect(p, "catalogs");
    List<String> catalogs = new ArrayList<>();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      catalogs.add(p.getString());
    }
    String init = Protocol.readString(p, "init");
    Protocol.expect(p, "initInput");
    JsonNode initInput = protocol.mapper().readTree(p);
    maxBytes = (int) Protocol.readLong(p, "maxBytes");
    maxFrameBytes = (int) Protocol.readLong(p, "maxFrameBytes");
    TaskRegistry reg = TaskRegistry.fromCatalogClassNames(catalogs);
    registry = reg;
    if (init != null) {
      @SuppressWarnings("unchecked")
      Task<Object, Object> t = (Task<Object, Object>) reg.require(init);
      Object input = protocol.mapper().convertValue(initInput, protocol.type(t.inputType()));
      t.run(input, new Context(init, "init", 1, workerName, null));
    }
    Frames.Builder b = new Frames.Builder(64);
    JsonGenerator g = protocol.begin(b, Protocol.READY);
    g.writeNumberProperty("pid", ProcessHandle.current().pid());
    out.send(Protocol.end(g, b));
  }

  private void readLoop() {
    try {
      while (true) {
        byte[] frame = Frames.read(in, maxFrameBytes);
        if (frame == null) {
          if (!stopping) {
            ParentWatchdog.parentDied("standard input closed (the parent is gone)");
          }
          return;
        }
        try (JsonParser p = protocol.open(frame)) {
          String op = Protocol.readRequiredString(p, "op");
          switch (op) {
            case Protocol.SKIP -> skip(Protocol.readLong(p, "key"));
            case Protocol.STOP -> work.add(STOP_MARK);
            case Protocol.RUN, Protocol.CHUNK -> work.add(new Work(Protocol.readLong(p, "key"), frame));
            default -> throw new Frames.ProtocolException("unknown op '" + op + "'");
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      System.err.println("[spindle] " + workerName + ": protocol error from the parent: " + e);
      Runtime.getRuntime().halt(EXIT_PROTOCOL_ERROR);
    }
  }

  /** A task message waiting to run. */
  private record Work(long key, byte[] frame) {}

  /** Withdraws a task that has not started and answers "skipped" at once; else it runs and answers. */
  private void skip(long key) {
    if (work.removeIf(w -> w instanceof Work x && x.key() == key)) {
      out.send(protocol.simple(Protocol.SKIPPED, key));
    }
  }

  private void workLoop() {
    while (true) {
      Object item;
      try {
        item = work.take();
      } catch (InterruptedException e) {
        continue;
      }
      if (item == STOP_MARK) {
        stopping = true;
        Frames.Builder b = new Frames.Builder(48);
        JsonGenerator g = protocol.begin(b, Protocol.BYE);
        g.writeNumberProperty("tasks", tasksRun);
        out.send(Protocol.end(g, b));
        out.close();
        try {
          out.awaitClosed(10_000);
          // The parent closes our stdin on "bye"; a thread still blocked reading it would delay
          // the JVM's exit by hundreds of milliseconds.
          reader.join(2_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        System.exit(0);
      }
      byte[] frame = ((Work) item).frame();
      try {
        out.send(handle(frame));
      } catch (IOException | RuntimeException e) {
        System.err.println("[spindle] " + workerName + ": protocol error from the parent: " + e);
        Runtime.getRuntime().halt(EXIT_PROTOCOL_ERROR);
      }
      Thread.interrupted();
    }
  }

  private byte[] handle(byte[] frame) throws IOException {
    try (JsonParser p = protocol.open(frame)) {
      return handle(p);
    }
  }

  private byte[] handle(JsonParser p) throws IOException {
    String op = Protocol.readRequiredString(p, "op");
    long key = Protocol.readLong(p, "key");
    String taskName = Protocol.readRequiredString(p, "task");
    @SuppressWarnings("unchecked")
    Task<Object, Object> task = (Task<Object, Object>) registry().find(taskName).orElse(null);
    long start = System.nanoTime();
    if (task == null) {
      return error(key, start, registryMiss(taskName));
    }
    if (Protocol.RUN.equals(op)) {
      String executionId = Protocol.readString(p, "id");
      int attempt = (int) Protocol.readLong(p, "attempt");
      String trace = Protocol.readString(p, "trace");
      Protocol.expect(p, "input");
      Object input;
      try {
        input = protocol.mapper().readValue(p, protocol.type(task.inputType()));
      } catch (JacksonException e) {
        return error(key, start, new PayloadException("input of task '" + taskName + "' is not valid JSON for "
            + task.inputType().getTypeName() + ": " + e.getOriginalMessage(), e));
      }
      Object output;
      try {
        tasksRun++;
        Context ctx = new Context(taskName, executionId != null ? executionId : Long.toString(key), attempt,
            workerName, trace);
        if (trace == null) {
          output = task.run(input, ctx);
        } else {
          try (TraceContextBinder.Binding bound = traceBinder().bind(trace)) {
            output = task.run(input, ctx);
          }
        }
      } catch (Throwable t) {
        return error(key, start, t);
      }
      long nanos = System.nanoTime() - start;
      Frames.Builder b = new Frames.Builder(64);
      try {
        JsonGenerator g = protocol.begin(b, Protocol.OK);
        g.writeNumberProperty("key", key);
        g.writeNumberProperty("nanos", nanos);
        g.writeName("output");
        protocol.mapper().writeValue(g, output);
        byte[] f = Protocol.end(g, b);
        if (f.length - 64 > maxBytes) {
          return error(key, start, new PayloadException("output of task '" + taskName + "' is " + (f.length - 64)
              + " bytes of JSON, over the limit of " + maxBytes + " bytes"));
        }
        return f;
      } catch (JacksonException e) {
        return error(key, start, new PayloadException("cannot serialize output of task '" + taskName + "' ("
            + (output == null ? "null" : output.getClass().getName()) + ") to JSON: " + e.getOriginalMessage(), e));
      }
    }
    return runChunk(p, key, task, start);
  }

  private byte[] runChunk(JsonParser p, long key, Task<Object, Object> task, long start) throws IOException {
    Protocol.expect(p, "inputs");
    List<Object> inputs;
    try {
      inputs = protocol.mapper().readValue(p, protocol.listOf(task.inputType()));
    } catch (JacksonException e) {
      return error(key, start, new PayloadException("inputs of task '" + task.name() + "' are not valid JSON for "
          + task.inputType().getTypeName() + ": " + e.getOriginalMessage(), e));
    }
    int n = inputs.size();
    Object[] outputs = new Object[n];
    @Nullable Throwable @Nullable [] errors = null;
    String id = Long.toString(key);
    Context ctx = new Context(task.name(), id, 1, workerName, null);
    for (int i = 0; i < n; i++) {
      try {
        tasksRun++;
        outputs[i] = task.run(inputs.get(i), ctx);
      } catch (Throwable t) {
        if (errors == null) {
          errors = new Throwable[n];
        }
        errors[i] = t;
      }
    }
    long nanos = System.nanoTime() - start;
    List<Object> outList = java.util.Arrays.asList(outputs);
    byte[] f = encodeChunk(key, nanos, outList, errors);
    if (f == null) {
      // Some output does not serialize: find which, and fail those elements alone.
      for (int i = 0; i < n; i++) {
        if (errors != null && errors[i] != null) {
          continue;
        }
        try {
          protocol.mapper().writeValueAsBytes(outputs[i]);
        } catch (JacksonException e) {
          if (errors == null) {
            errors = new Throwable[n];
          }
          errors[i] = new PayloadException("cannot serialize output of task '" + task.name() + "' ("
              + outputs[i].getClass().getName() + ") to JSON: " + e.getOriginalMessage(), e);
          outputs[i] = null;
        }
      }
      f = encodeChunk(key, nanos, outList, errors);
      if (f == null) {
        return error(key, start, new PayloadException("cannot serialize the outputs of task '" + task.name() + "'"));
      }
    }
    if (f.length > maxFrameBytes) {
      return error(key, start, new PayloadException("the outputs of a chunk of " + n + " inputs of task '"
          + task.name() + "' are " + f.length + " bytes of JSON, over the message limit of " + maxFrameBytes
          + " bytes; use a smaller chunkSize"));
    }
    return f;
  }

  /** The chunk's answer; null if some output does not serialize. */
  private byte @Nullable [] encodeChunk(long key, long nanos, List<Object> outputs,
      @Nullable Throwable @Nullable [] errors) {
    try {
      Frames.Builder b = new Frames.Builder(64 + outputs.size() * 8);
      JsonGenerator g = protocol.begin(b, Protocol.CHUNK);
      g.writeNumberProperty("key", key);
      g.writeNumberProperty("nanos", nanos);
      g.writeName("outputs");
      protocol.mapper().writeValue(g, outputs);
      if (errors != null) {
        g.writeName("errors");
        g.writeStartArray();
        for (int i = 0; i < errors.length; i++) {
          if (errors[i] != null) {
            g.writeStartObject();
            g.writeNumberProperty("i", i);
            g.writeName("error");
            Protocol.writeError(g, errors[i]);
            g.writeEndObject();
          }
        }
        g.writeEndArray();
      }
      return Protocol.end(g, b);
    } catch (JacksonException e) {
      return null;
    }
  }

  /** The registry, rebuilt by the handshake (which happens before any task frame is read). */
  private TaskRegistry registry() {
    TaskRegistry r = registry;
    if (r == null) {
      throw new IllegalStateException("no task registry before the hello frame");
    }
    return r;
  }

  private RuntimeException registryMiss(String taskName) {
    try {
      registry().require(taskName);
      return new IllegalStateException("task '" + taskName + "' vanished");
    } catch (RuntimeException e) {
      return new dev.spindle.UnknownTaskException(taskName, "worker '" + workerName + "' (pid "
          + ProcessHandle.current().pid() + "): " + e.getMessage());
    }
  }

  private @Nullable TraceContextBinder binder;

  /** The installed binders, loaded at the first traced execution (the dispatch thread only). */
  private TraceContextBinder traceBinder() {
    TraceContextBinder b = binder;
    if (b == null) {
      b = TraceContextBinder.installed();
      binder = b;
    }
    return b;
  }

  private byte[] error(long key, long start, Throwable t) {
    Frames.Builder b = new Frames.Builder(512);
    JsonGenerator g = protocol.begin(b, Protocol.ERR);
    g.writeNumberProperty("key", key);
    g.writeNumberProperty("nanos", System.nanoTime() - start);
    g.writeName("error");
    Protocol.writeError(g, t);
    return Protocol.end(g, b);
  }

  /** The task context inside a worker. */
  private record Context(String taskName, String executionId, int attempt, String workerName,
      @Nullable String traceContext)
      implements TaskContext {
    @Override
    public boolean isCancelled() {
      return false;
    }
  }
}
