package dev.spindle.process.internal;

import dev.spindle.PayloadException;
import dev.spindle.RemoteTaskException;
import dev.spindle.Task;
import dev.spindle.TaskRegistry;
import dev.spindle.process.ProcessOptions;
import dev.spindle.spi.Outcome;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * The parent's side of the {@link Protocol} messages about work: encodes the hello, run, chunk and
 * stop frames (enforcing the payload and frame limits of {@link ProcessOptions}) and decodes a worker's
 * answer into a value or an error. Holds no mutable state; thread-safe.
 */
final class JobFrames {
  private final Protocol protocol;
  private final ProcessOptions options;

  JobFrames(Protocol protocol, ProcessOptions options) {
    this.protocol = protocol;
    this.options = options;
  }

  /** The first frame a worker receives: its name, the task catalogs and the initializer. */
  byte[] hello(String name, TaskRegistry registry) {
    Frames.Builder b = new Frames.Builder(256);
    JsonGenerator g = protocol.begin(b, Protocol.HELLO);
    g.writeStringProperty("worker", name);
    g.writeName("catalogs");
    g.writeStartArray();
    for (String c : registry.catalogClassNames()) {
      g.writeString(c);
    }
    g.writeEndArray();
    g.writeStringProperty("init", options.initializerTask());
    g.writeName("initInput");
    g.writeRawValue(options.initializerInputJson());
    g.writeNumberProperty("maxBytes", options.maxPayloadBytes());
    g.writeNumberProperty("maxFrameBytes", options.maxFrameBytes());
    return Protocol.end(g, b);
  }

  /** The poison pill: the worker finishes what it was sent, answers {@code bye} and exits. */
  byte[] stop() {
    return protocol.simple(Protocol.STOP, null);
  }

  /**
   * One execution.
   *
   * @throws PayloadException if the input cannot be written as JSON or is over the payload limit
   */
  byte[] run(long key, Task<?, ?> task, @Nullable String executionId, int attempt, @Nullable String trace,
      Object input) {
    Frames.Builder b = new Frames.Builder(96);
    try {
      JsonGenerator g = protocol.begin(b, Protocol.RUN);
      g.writeNumberProperty("key", key);
      g.writeStringProperty("task", task.name());
      g.writeStringProperty("id", executionId);
      g.writeNumberProperty("attempt", attempt);
      g.writeStringProperty("trace", trace);
      g.writeName("input");
      int before = b.jsonLength();
      protocol.mapper().writeValue(g, input);
      g.flush();
      int size = b.jsonLength() - before;
      if (size > options.maxPayloadBytes()) {
        throw new PayloadException("input of task '" + task.name() + "' is " + size + " bytes of JSON, over the limit of "
            + options.maxPayloadBytes() + " bytes; raise ProcessOptions.maxPayloadBytes or pass a reference "
            + "(a path or URL) instead of the data");
      }
      return Protocol.end(g, b);
    } catch (JacksonException e) {
      throw new PayloadException("cannot serialize input of task '" + task.name() + "' ("
          + (input == null ? "null" : input.getClass().getName()) + ") to JSON: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * A chunk of a map.
   *
   * @throws PayloadException if the inputs cannot be written as JSON or the frame is over the limit
   */
  byte[] chunk(long key, Task<?, ?> task, List<?> chunk) {
    Frames.Builder b = new Frames.Builder(64 + chunk.size() * 8);
    try {
      JsonGenerator g = protocol.begin(b, Protocol.CHUNK);
      g.writeNumberProperty("key", key);
      g.writeStringProperty("task", task.name());
      g.writeName("inputs");
      protocol.mapper().writeValue(g, chunk);
      byte[] frame = Protocol.end(g, b);
      if (frame.length > options.maxFrameBytes()) {
        throw new PayloadException("a chunk of " + chunk.size() + " inputs of task '" + task.name() + "' is "
            + frame.length + " bytes of JSON, over the message limit of " + options.maxFrameBytes()
            + " bytes; use a smaller chunkSize");
      }
      return frame;
    } catch (JacksonException e) {
      throw new PayloadException("cannot serialize inputs of task '" + task.name() + "' to JSON: "
          + e.getOriginalMessage(), e);
    }
  }

  /**
   * A decoded answer: whether it succeeded, the value to complete the future with (a chunk's list
   * of outcomes) or the error to fail it with, and how many executions it counts as run and failed.
   */
  record Answer(boolean succeeded, @Nullable Object value, @Nullable Throwable error, int executed, int failed) {
    static Answer success(Object value, int executed, int failed) {
      return new Answer(true, value, null, executed, failed);
    }

    static Answer failure(Throwable error, int executed) {
      return new Answer(false, null, error, executed, executed);
    }
  }

  /**
   * Decodes the rest of an {@code ok}, {@code err} or {@code chunk} answer to {@code j}; the parser
   * is past the key and run time.
   *
   * @throws Frames.ProtocolException if the answer does not fit the protocol or the job
   */
  Answer decode(Job j, String op, JsonParser p) throws IOException {
    switch (op) {
      case Protocol.OK -> {
        Protocol.expect(p, "output");
        try {
          return Answer.success(protocol.mapper().readValue(p, protocol.type(j.task.outputType())), 1, 0);
        } catch (JacksonException e) {
          return Answer.failure(new PayloadException("output of task '" + j.task.name() + "' is not valid JSON for "
              + j.task.outputType().getTypeName() + ": " + e.getOriginalMessage(), e), 1);
        }
      }
      case Protocol.ERR -> {
        Protocol.expect(p, "error");
        return Answer.failure(protocol.readError(p), j.size);
      }
      case Protocol.CHUNK -> {
        Protocol.expect(p, "outputs");
        List<Object> outs;
        try {
          outs = protocol.mapper().readValue(p, protocol.listOf(j.task.outputType()));
        } catch (JacksonException e) {
          return Answer.failure(new PayloadException("outputs of task '" + j.task.name() + "' are not valid JSON for "
              + j.task.outputType().getTypeName() + ": " + e.getOriginalMessage(), e), j.size);
        }
        List<Outcome<Object>> outcomes = new ArrayList<>(outs.size());
        for (Object o : outs) {
          outcomes.add(Outcome.success(o));
        }
        int errors = 0;
        String name = p.nextName();
        if ("errors".equals(name)) {
          p.nextToken();
          while (p.nextToken() == JsonToken.START_OBJECT) {
            int i = (int) Protocol.readLong(p, "i");
            Protocol.expect(p, "error");
            RemoteTaskException ex = protocol.readError(p);
            p.nextToken(); // END_OBJECT of the entry
            if (i >= 0 && i < outcomes.size()) {
              outcomes.set(i, Outcome.failure(ex));
              errors++;
            }
          }
        }
        if (outcomes.size() != j.size) {
          throw new Frames.ProtocolException("chunk " + j.key + " came back with " + outcomes.size()
              + " outputs for " + j.size + " inputs");
        }
        return Answer.success(outcomes, j.size, errors);
      }
      default -> throw new Frames.ProtocolException("unexpected op " + op);
    }
  }
}
