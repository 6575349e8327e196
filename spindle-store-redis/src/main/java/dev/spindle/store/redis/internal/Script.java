package dev.spindle.store.redis.internal;

import dev.spindle.queue.JobState;
import io.lettuce.core.ScriptOutputType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The store's Lua scripts (in {@code lua/} next to this class): the shared library, whose modules
 * in {@code lua/lib/} are joined in the order of {@link #MODULES} (each uses only what the ones
 * before it define; {@link JobState}'s tables are rendered into {@code rules.lua} by {@link
 * LuaStateMachine}), and one body per script.
 *
 * <p>On Redis 7 and later they are loaded once as one Redis Functions library ({@link #library()},
 * named after its content's hash, so versions coexist during a rolling upgrade) and each body is a
 * function called with FCALL: the library's top level (about 1,800 lines of definitions) runs once
 * at load, not on every call, which saved a third of the Redis CPU of a single enqueue. Where
 * Functions are missing (Redis 6) or not permitted (ACL), each script is the library followed by
 * its body, run with EVALSHA (EVAL after a restart flushed the script cache). Either way every call
 * starts with {@code begin(KEYS, ARGV)}, which makes the call's context table (its buffers and
 * caches), or, for a script that uses none of it, the cheaper {@code enter(KEYS, ARGV)}. Every
 * script gets the key prefix as its only declared key, so Redis Cluster routes it to the
 * namespace's slot.
 *
 * <p>Thread-safe (texts are built once, lazily).
 */
public enum Script {
  ENQUEUE("enqueue", ScriptOutputType.MULTI),
  /** {@code enqueue} for jobs without unique keys, dependencies or flow keys: fewer commands. */
  ENQUEUE_PLAIN("enqueue_plain", ScriptOutputType.MULTI, Mode.WRITE, Start.ENTER, "enqueue"),
  EXCHANGE("exchange", ScriptOutputType.MULTI),
  HEARTBEAT("heartbeat", ScriptOutputType.MULTI),
  DEREGISTER("deregister", ScriptOutputType.INTEGER),
  RECLAIM("reclaim", ScriptOutputType.MULTI),
  CANCEL("cancel", ScriptOutputType.VALUE),
  REQUEUE("requeue", ScriptOutputType.MULTI),
  RESUME("resume", ScriptOutputType.MULTI),
  FINISHED("finished", ScriptOutputType.MULTI, Mode.READ),
  SAVE_SCHEDULE("save_schedule", ScriptOutputType.MULTI),
  DELETE_SCHEDULE("delete_schedule", ScriptOutputType.INTEGER),
  FIRE_SCHEDULE("fire_schedule", ScriptOutputType.INTEGER),
  SCHEDULES("schedules", ScriptOutputType.MULTI, Mode.READ),
  PURGE_EXPIRED("purge_expired", ScriptOutputType.INTEGER),
  SCAN("scan", ScriptOutputType.MULTI),
  SUMMARIES("summaries", ScriptOutputType.MULTI, Mode.READ),
  SET_LIMIT("set_limit", ScriptOutputType.INTEGER),
  WORKERS("workers", ScriptOutputType.MULTI, Mode.READ),
  TIME("time", ScriptOutputType.VALUE, Mode.READ),
  FIND("find", ScriptOutputType.MULTI, Mode.READ),
  RESEED("reseed", ScriptOutputType.VALUE),
  PAUSE("pause", ScriptOutputType.INTEGER),
  DELETE_JOB("delete_job", ScriptOutputType.VALUE),
  EDGES("edges", ScriptOutputType.MULTI, Mode.READ),
  ADD_CHILDREN("add_children", ScriptOutputType.MULTI),
  AUDIT("audit", ScriptOutputType.INTEGER),
  PAUSE_SCHEDULE("pause_schedule", ScriptOutputType.INTEGER),
  STATS("stats", ScriptOutputType.MULTI, Mode.READ),
  OLDEST("oldest", ScriptOutputType.VALUE, Mode.READ),
  OLDEST_BY_QUEUE("oldest_by_queue", ScriptOutputType.MULTI, Mode.READ),
  LIVE("live", ScriptOutputType.MULTI, Mode.READ),
  FLOW("flow", ScriptOutputType.MULTI),
  DURABLE_RECORD("durable_record", ScriptOutputType.MULTI),
  DURABLE_SUSPEND("durable_suspend", ScriptOutputType.INTEGER),
  DURABLE_SIGNAL("durable_signal", ScriptOutputType.VALUE),
  DURABLE_SIGNAL_AT("durable_signal_at", ScriptOutputType.VALUE, Mode.READ),
  DURABLE_LOG("durable_log", ScriptOutputType.MULTI, Mode.READ),
  DURABLE_CACHED("durable_cached", ScriptOutputType.MULTI, Mode.READ),
  DURABLE_CACHE("durable_cache", ScriptOutputType.INTEGER),
  ATTEMPTS("attempts", ScriptOutputType.MULTI, Mode.READ),
  DUPLICATES("duplicates", ScriptOutputType.MULTI, Mode.READ),
  PROGRESS_WRITE("progress_write", ScriptOutputType.MULTI),
  PROGRESS_VIEW("progress_view", ScriptOutputType.MULTI, Mode.READ),
  INCIDENT_RAISE("incident_raise", ScriptOutputType.MULTI),
  INCIDENT_RESOLVE("incident_resolve", ScriptOutputType.VALUE),
  MIGRATE_INDEX("migrate_index", ScriptOutputType.MULTI, Mode.WRITE, Start.ENTER, "migrate_index");

  /**
   * The library's modules ({@code lua/lib/<name>.lua}), in load order: names and keys, the rendered
   * rules, times, policies, buffered writes, the status codec, flow control, indexes, the attempts
   * ledger, transitions, dependencies, durable execution, retention, retried requests, enqueue,
   * completions, claims, read-only views, and the start of a call.
   */
  static final List<String> MODULES = List.of("keys", "rules", "times", "policies", "writes", "codec", "flow",
      "index", "ledger", "transitions", "deps", "durable", "retention", "requests", "enqueue", "completions", "claims",
      "views", "call");
  /** The first write of a script that must work at maxmemory (see keys.lua's out-of-memory rule). */
  private static final String UNDER_OOM_MARKER = "redis.call('DEL', P .. 'oom')";
  private static final String LIB = libraryText();
  private static volatile @Nullable Library library;

  /** What a script may do, declared to Redis as a function's flags. */
  enum Mode {
    /** Writes; refused while Redis is above maxmemory (before it runs). */
    WRITE,
    /** Writes and must still run above maxmemory (completions, heartbeats, reclaim, purge). */
    UNDER_OOM,
    /** Only reads ({@code no-writes}: runs above maxmemory and on replicas). */
    READ
  }

  /** The library function a call starts with (see {@code lua/lib/call.lua}). */
  enum Start {
    /** {@code begin}: resets the library's per-call state. */
    BEGIN,
    /**
     * {@code enter}: sets the keys and arguments only, for a script that uses none of the per-call
     * state (it writes straight to Redis, never through {@code flush()}).
     */
    ENTER;

    String function() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** The Functions library: its text, and its name, which every function name starts with. */
  public record Library(String name, String text) {}

  private final String file;
  private final ScriptOutputType output;
  private final boolean readOnly;
  private final Start start;
  private final String label;
  private volatile @Nullable String source;
  private volatile @Nullable String body;
  private volatile @Nullable String sha;
  private volatile @Nullable String function;

  Script(String file, ScriptOutputType output) {
    this(file, output, Mode.WRITE);
  }

  /** {@code declared}: {@link Mode#READ} for a script that only reads; the others are told apart by their body. */
  Script(String file, ScriptOutputType output, Mode declared) {
    this(file, output, declared, Start.BEGIN, file);
  }

  /** {@code label}: what messages call it (the operation a caller asked for). */
  Script(String file, ScriptOutputType output, Mode declared, Start start, String label) {
    this.file = file;
    this.output = output;
    this.readOnly = declared == Mode.READ;
    this.start = start;
    this.label = label;
  }

  /** This script's own file ({@code lua/<file>.lua}), read once. */
  private String source() {
    String s = source;
    if (s == null) {
      s = LuaStateMachine.withConstants(read(file));
      source = s;
    }
    return s;
  }

  /** The full script text for EVAL (library, {@code begin}, body as a function). */
  public String body() {
    load();
    return Objects.requireNonNull(body);
  }

  /** The SHA-1 Redis knows the EVAL script by. */
  public String sha() {
    load();
    return Objects.requireNonNull(sha);
  }

  /** The name of this script's function in {@link #library()}. */
  public String function() {
    String f = function;
    if (f == null) {
      f = library().name() + "_" + file;
      function = f;
    }
    return f;
  }

  /** Its file's name in {@code lua/}, without {@code .lua}. */
  String file() {
    return file;
  }

  /** How Lettuce decodes its reply. */
  public ScriptOutputType output() {
    return output;
  }

  /** A name for messages. */
  public String label() {
    return label;
  }

  /** What the script may do: derived from its body (the out-of-memory marker) and its declaration. */
  Mode mode() {
    return readOnly ? Mode.READ : source().contains(UNDER_OOM_MARKER) ? Mode.UNDER_OOM : Mode.WRITE;
  }

  /**
   * Every script as one Redis Functions library ({@code FUNCTION LOAD}): the shared library once,
   * then one {@code redis.register_function} per script whose callback starts with {@code begin}.
   * Its name is {@code spindle_} and 12 hex digits of its content's SHA-1.
   */
  public static Library library() {
    Library l = library;
    if (l == null) {
      synchronized (Script.class) {
        l = library;
        if (l == null) {
          StringBuilder fns = new StringBuilder();
          for (Script s : values()) {
            String flags = switch (s.mode()) {
              case WRITE -> "{}";
              case UNDER_OOM -> "{'allow-oom'}";
              case READ -> "{'no-writes'}";
            };
            fns.append("\n-- ---------------------------------------------------------------- ").append(s.file)
                .append("\nredis.register_function{function_name = NAME .. '_").append(s.file)
                .append("', flags = ").append(flags).append(", callback = function(keys, args)\n").append(s.start.function()).append("(keys, args)\n")
                .append(s.source()).append("\nend}\n");
          }
          String content = LIB + fns;
          String name = "spindle_" + sha1(content).substring(0, 12);
          l = new Library(name, "#!lua name=" + name + "\nlocal NAME = '" + name + "'\n" + content);
          library = l;
        }
      }
    }
    return l;
  }

  private void load() {
    if (sha == null) {
      synchronized (this) {
        if (sha == null) {
          // the body runs as a function, as a registered function's does: its locals are its own,
          // not more of the library's main chunk (Lua allows that 200)
          String b = "local GK, GA = KEYS, ARGV\n" + LIB + "\n" + start.function() + "(GK, GA)\n"
              + "-- ---------------------------------------------------------------- " + file + "\n"
              + "return (function()\n" + source() + "\nend)()\n";
          body = b;
          sha = sha1(b);
        }
      }
    }
  }

  /** The modules joined, each after a line naming it. */
  private static String libraryText() {
    StringBuilder lib = new StringBuilder();
    for (String module : MODULES) {
      String text = LuaStateMachine.withConstants(read("lib/" + module));
      lib.append("-- ================================================================ ").append(module).append(".lua\n")
          .append(module.equals("rules") ? LuaStateMachine.inline(text) : text);
    }
    return lib.toString();
  }

  private static String read(String name) {
    String path = "lua/" + name + ".lua";
    try (InputStream in = Script.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + path + " next to " + Script.class.getName());
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String sha1(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
