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

/**
 * The store's Lua scripts (in {@code lua/} next to this class): each is the shared library
 * {@code lib.lua} (with {@link JobState}'s tables rendered in by {@link LuaStateMachine}, and the
 * dependency functions of {@code deps.lua} at its {@code --@DEPENDENCIES@} line) followed
 * by its own body, run with EVALSHA (falling back to EVAL after a server restart flushed the script
 * cache). Every script gets the key prefix as its only declared key, so Redis Cluster routes it to
 * the namespace's slot.
 */
public enum Script {
  ENQUEUE("enqueue", ScriptOutputType.MULTI),
  EXCHANGE("exchange", ScriptOutputType.MULTI),
  HEARTBEAT("heartbeat", ScriptOutputType.MULTI),
  DEREGISTER("deregister", ScriptOutputType.INTEGER),
  RECLAIM("reclaim", ScriptOutputType.MULTI),
  CANCEL("cancel", ScriptOutputType.VALUE),
  REQUEUE("requeue", ScriptOutputType.MULTI),
  FINISHED("finished", ScriptOutputType.MULTI),
  SAVE_SCHEDULE("save_schedule", ScriptOutputType.MULTI),
  DELETE_SCHEDULE("delete_schedule", ScriptOutputType.INTEGER),
  FIRE_SCHEDULE("fire_schedule", ScriptOutputType.INTEGER),
  SCHEDULES("schedules", ScriptOutputType.MULTI),
  PURGE_EXPIRED("purge_expired", ScriptOutputType.INTEGER),
  SCAN("scan", ScriptOutputType.MULTI),
  SUMMARIES("summaries", ScriptOutputType.MULTI),
  SET_LIMIT("set_limit", ScriptOutputType.INTEGER),
  WORKERS("workers", ScriptOutputType.MULTI),
  TIME("time", ScriptOutputType.VALUE),
  FIND("find", ScriptOutputType.MULTI),
  RESEED("reseed", ScriptOutputType.VALUE),
  PAUSE("pause", ScriptOutputType.INTEGER),
  DELETE_JOB("delete_job", ScriptOutputType.VALUE),
  EDGES("edges", ScriptOutputType.MULTI),
  ADD_CHILDREN("add_children", ScriptOutputType.MULTI),
  AUDIT("audit", ScriptOutputType.INTEGER),
  PAUSE_SCHEDULE("pause_schedule", ScriptOutputType.INTEGER),
  STATS("stats", ScriptOutputType.MULTI),
  OLDEST("oldest", ScriptOutputType.VALUE),
  OLDEST_BY_QUEUE("oldest_by_queue", ScriptOutputType.MULTI),
  LIVE("live", ScriptOutputType.MULTI),
  FLOW("flow", ScriptOutputType.MULTI);

  /** The line of {@code lib.lua} that {@code deps.lua} (the dependency functions) replaces. */
  private static final String DEPENDENCIES = "\n--@DEPENDENCIES@\n";
  private static final String LIB = withDependencies(LuaStateMachine.inline(read("lib")));

  private final String file;
  private final ScriptOutputType output;
  private volatile String body;
  private volatile String sha;

  Script(String file, ScriptOutputType output) {
    this.file = file;
    this.output = output;
  }

  /** The full script text (library + body). */
  public String body() {
    load();
    return body;
  }

  /** The SHA-1 Redis knows the script by. */
  public String sha() {
    load();
    return sha;
  }

  /** How Lettuce decodes its reply. */
  public ScriptOutputType output() {
    return output;
  }

  /** A name for messages. */
  public String label() {
    return file;
  }

  private void load() {
    if (sha == null) {
      synchronized (this) {
        if (sha == null) {
          String b = LIB + "\n-- ---------------------------------------------------------------- " + file + "\n"
              + read(file);
          body = b;
          sha = sha1(b);
        }
      }
    }
  }

  private static String withDependencies(String lib) {
    int at = lib.indexOf(DEPENDENCIES);
    if (at < 0) {
      throw new IllegalStateException("lib.lua lacks the line --@DEPENDENCIES@ where deps.lua goes");
    }
    return lib.substring(0, at + 1) + read("deps") + lib.substring(at + DEPENDENCIES.length() - 1);
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
