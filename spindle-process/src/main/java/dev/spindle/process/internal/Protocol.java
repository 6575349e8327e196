package dev.spindle.process.internal;

import dev.spindle.RemoteTaskException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The messages between the parent and a worker, each one JSON object in a {@link Frames frame}
 * whose first property is {@code op}. Properties come in a fixed order so both sides stream them.
 *
 * <pre>
 * parent → worker                                     worker → parent
 * {"op":"hello","worker":..,"catalogs":[..],           {"op":"ready","pid":..}
 *   "init":name|null,"initInput":json,"maxBytes":n}    {"op":"fatal","error":E}        (start-up failed)
 * {"op":"run","key":k,"task":name,"id":s|null,         {"op":"ok","key":k,"nanos":n,"output":json}
 *   "attempt":n,"trace":s|null,"input":json}                          {"op":"err","key":k,"nanos":n,"error":E}
 * {"op":"chunk","key":k,"task":name,"inputs":[..]}     {"op":"chunk","key":k,"nanos":n,"outputs":[..],
 *                                                        "errors":[{"i":index,"error":E},..]}
 * {"op":"skip","key":k}   (cancelled before it ran)    {"op":"skipped","key":k}
 * {"op":"stop"}           (poison pill)                {"op":"bye","tasks":n}  (acknowledged; exiting)
 *
 * E = {"type":class,"message":text|null,"stack":[[class,method,file,line],..],"cause":E|null}
 * </pre>
 */
final class Protocol {
  static final String HELLO = "hello";
  static final String READY = "ready";
  static final String FATAL = "fatal";
  static final String RUN = "run";
  static final String OK = "ok";
  static final String ERR = "err";
  static final String CHUNK = "chunk";
  static final String SKIP = "skip";
  static final String SKIPPED = "skipped";
  static final String STOP = "stop";
  static final String BYE = "bye";

  private static final int MAX_CAUSES = 8;
  private static final int MAX_FRAMES = 200;

  private final JsonMapper mapper;
  private final Map<java.lang.reflect.Type, JavaType> types = new ConcurrentHashMap<>();
  private final Map<java.lang.reflect.Type, JavaType> listTypes = new ConcurrentHashMap<>();

  /**
   * @param base the codec's mapper; a copy is made that reads a value in the middle of a message
   *     (no failure on the tokens that follow it)
   */
  Protocol(JsonMapper base) {
    this.mapper = base.rebuild().disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
  }

  JsonMapper mapper() {
    return mapper;
  }

  JavaType type(java.lang.reflect.Type t) {
    return types.computeIfAbsent(t, mapper::constructType);
  }

  JavaType listOf(java.lang.reflect.Type t) {
    return listTypes.computeIfAbsent(t,
        x -> mapper.getTypeFactory().constructCollectionType(List.class, type(x)));
  }

  /** Starts a frame: returns a generator positioned inside the object after {@code "op"}. */
  JsonGenerator begin(Frames.Builder buf, String op) {
    JsonGenerator g = mapper.createGenerator(buf);
    g.writeStartObject();
    g.writeStringProperty("op", op);
    return g;
  }

  /** Ends the object and returns the frame. */
  static byte[] end(JsonGenerator g, Frames.Builder buf) {
    g.writeEndObject();
    g.close();
    return buf.frame();
  }

  /** A frame of just an op and optionally a key. */
  byte[] simple(String op, @Nullable Long key) {
    Frames.Builder b = new Frames.Builder(48);
    JsonGenerator g = begin(b, op);
    if (key != null) {
      g.writeNumberProperty("key", key);
    }
    return end(g, b);
  }

  /** Opens a parser on a frame and reads its op. */
  JsonParser open(byte[] frame) throws IOException {
    JsonParser p = mapper.createParser(frame);
    if (p.nextToken() != JsonToken.START_OBJECT) {
      throw new Frames.ProtocolException("frame is not a JSON object: " + Frames.printable(
          java.util.Arrays.copyOf(frame, Math.min(frame.length, 60))));
    }
    return p;
  }

  /** Reads the next property, which must be {@code name}, and leaves the parser on its value. */
  static void expect(JsonParser p, String name) throws IOException {
    String n = p.nextName();
    if (!name.equals(n)) {
      throw new Frames.ProtocolException("expected property '" + name + "' but found " + (n == null
          ? p.currentToken() : "'" + n + "'"));
    }
    p.nextToken();
  }

  static @Nullable String readString(JsonParser p, String name) throws IOException {
    expect(p, name);
    return p.currentToken() == JsonToken.VALUE_NULL ? null : p.getString();
  }

  /** {@link #readString} for a property that must not be null (an op, a task or worker name). */
  static String readRequiredString(JsonParser p, String name) throws IOException {
    String s = readString(p, name);
    if (s == null) {
      throw new Frames.ProtocolException("property '" + name + "' must not be null");
    }
    return s;
  }

  static long readLong(JsonParser p, String name) throws IOException {
    expect(p, name);
    return p.getLongValue();
  }

  /** Writes an exception and its causes. */
  static void writeError(JsonGenerator g, Throwable t) {
    writeError(g, t, 0);
  }

  private static void writeError(JsonGenerator g, Throwable t, int depth) {
    g.writeStartObject();
    String type = t instanceof RemoteTaskException r ? r.remoteType() : t.getClass().getName();
    String message = t instanceof RemoteTaskException r ? r.remoteMessage() : t.getMessage();
    g.writeStringProperty("type", type);
    g.writeStringProperty("message", message);
    g.writeName("stack");
    g.writeStartArray();
    StackTraceElement[] st = t.getStackTrace();
    for (int i = 0; i < Math.min(st.length, MAX_FRAMES); i++) {
      StackTraceElement e = st[i];
      g.writeStartArray();
      g.writeString(e.getClassName());
      g.writeString(e.getMethodName());
      g.writeString(e.getFileName());
      g.writeNumber(e.getLineNumber());
      g.writeEndArray();
    }
    g.writeEndArray();
    g.writeName("cause");
    Throwable cause = t.getCause();
    if (cause != null && cause != t && depth < MAX_CAUSES) {
      writeError(g, cause, depth + 1);
    } else {
      g.writeNull();
    }
    g.writeEndObject();
  }

  /**
   * Reads an error object (the parser is on its START_OBJECT).
   *
   * @throws Frames.ProtocolException if the value is null instead of an error
   */
  RemoteTaskException readError(JsonParser p) throws IOException {
    RemoteTaskException e = toException(mapper.readTree(p));
    if (e == null) {
      throw new Frames.ProtocolException("expected an error object, found null");
    }
    return e;
  }

  static @Nullable RemoteTaskException toException(@Nullable JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      return null;
    }
    List<StackTraceElement> stack = new ArrayList<>();
    for (JsonNode f : n.path("stack")) {
      stack.add(new StackTraceElement(f.path(0).asString(""), f.path(1).asString(""),
          f.path(2).isNull() ? null : f.path(2).asString(null), f.path(3).asInt(-1)));
    }
    JsonNode msg = n.path("message");
    return new RemoteTaskException(n.path("type").asString("unknown"), msg.isNull() || msg.isMissingNode()
        ? null : msg.asString(), stack, toException(n.path("cause")));
  }
}
