package dev.spindle.store.redis.internal;

import dev.spindle.queue.StoreException;
import dev.spindle.queue.StoreException.Reason;
import dev.spindle.store.redis.RedisStoreConfig.EvictionCheck;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the server's configuration means for the jobs: its {@code maxmemory-policy} (anything but
 * {@code noeviction} lets Redis delete keys, jobs included, when memory is full) and its
 * persistence. Read with {@code INFO}, which managed services allow where {@code CONFIG} is often
 * disabled. Stateless; thread-safe.
 */
public final class ServerHealth {
  private static final Logger LOG = LoggerFactory.getLogger(ServerHealth.class);
  /** The only policy under which Redis never deletes keys on its own. */
  public static final String SAFE_POLICY = "noeviction";
  /** How often a running store re-reads the policy (at a heartbeat), in seconds. */
  public static final int RECHECK_SECONDS = 60;

  private ServerHealth() {}

  /** The {@code field:value} lines of an {@code INFO} reply. */
  static Map<String, String> parse(String info) {
    Map<String, String> out = new HashMap<>();
    for (String line : info.split("\r?\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && !line.startsWith("#")) {
        out.put(line.substring(0, colon), line.substring(colon + 1).strip());
      }
    }
    return out;
  }

  /** The server's {@code maxmemory-policy}, or {@code null} if it cannot be read (no INFO). */
  public static @Nullable String policy(RedisLink link) {
    try {
      return parse(link.namespaceInfo("memory")).get("maxmemory_policy");
    } catch (RuntimeException e) {
      LOG.debug("reading INFO memory of {}", link.where(), e);
      return null;
    }
  }

  /**
   * Checks the eviction policy when a store opens: refuses ({@link EvictionCheck#REFUSE}) or logs
   * an error ({@link EvictionCheck#WARN}) unless it is {@code noeviction}; a policy that cannot be
   * read is logged as a warning.
   *
   * @throws StoreException CANNOT_OPEN if the policy evicts and the configuration refuses it
   */
  static void checkEviction(RedisLink link) {
    String policy = policy(link);
    if (policy == null) {
      LOG.warn("cannot read maxmemory-policy of Redis at {} (INFO memory is not permitted?): make "
          + "sure it is noeviction, or Redis may delete queued jobs when its memory is full",
          link.where());
      return;
    }
    if (SAFE_POLICY.equals(policy)) {
      return;
    }
    String risk = "Redis at " + link.where() + " has maxmemory-policy " + policy + ": when its "
        + "memory is full it deletes keys, so queued and running jobs can vanish without an error";
    if (link.config().evictionCheck() == EvictionCheck.REFUSE) {
      throw new StoreException(Reason.CANNOT_OPEN, risk + ". Set 'maxmemory-policy noeviction' "
          + "(CONFIG SET maxmemory-policy noeviction, and in redis.conf), or add ?eviction=warn to "
          + "the store URL to accept the risk.");
    }
    LOG.error("{}. Running anyway (eviction=warn); set 'maxmemory-policy noeviction' to make jobs "
        + "safe.", risk);
  }

  /**
   * Re-reads the policy of a running store (the server's configuration may change under it) and
   * logs an error if it now evicts. Never throws.
   *
   * @return true if the policy is {@code noeviction} or cannot be read
   */
  public static boolean recheck(RedisLink link) {
    String policy = policy(link);
    if (policy == null || SAFE_POLICY.equals(policy)) {
      return true;
    }
    LOG.error("Redis at {} now has maxmemory-policy {}: when its memory is full it deletes keys, so "
        + "queued and running jobs can vanish without an error. Set 'maxmemory-policy noeviction' "
        + "(checked again every {} s).", link.where(), policy, RECHECK_SECONDS);
    return false;
  }

  /**
   * Lines for {@code spindle status}: the eviction policy and memory, and persistence, each with
   * what it means for the jobs.
   */
  public static List<String> report(RedisLink link) {
    List<String> out = new ArrayList<>();
    Map<String, String> mem;
    try {
      mem = parse(link.namespaceInfo("memory"));
    } catch (RuntimeException e) {
      out.add("redis: cannot read INFO memory (" + firstLine(e.getMessage())
          + "); make sure maxmemory-policy is noeviction");
      return out;
    }
    String policy = mem.getOrDefault("maxmemory_policy", "?");
    String max = mem.getOrDefault("maxmemory_human", mem.getOrDefault("maxmemory", "?"));
    out.add("redis: maxmemory-policy " + policy + (SAFE_POLICY.equals(policy) ? " (ok)"
        : " (EVICTS KEYS: jobs can be lost when memory is full; set noeviction)")
        + ", memory used " + mem.getOrDefault("used_memory_human", "?") + " of "
        + ("0B".equals(max) || "0".equals(max) ? "no limit" : max));
    try {
      Map<String, String> p = parse(link.namespaceInfo("persistence"));
      if ("1".equals(p.get("aof_enabled"))) {
        String fsync = config(link, "appendfsync");
        out.add("redis: persistence AOF on" + (fsync == null ? ""
            : "always".equals(fsync) ? ", appendfsync always (ok)"
            : ", appendfsync " + fsync + " (a crash of redis-server while the disk is busy can lose up to 2 s of "
                + "acknowledged enqueues, claims and completions; always loses none)"));
      } else {
        String lastSave = Instant.ofEpochSecond(
            Long.parseLong(p.getOrDefault("rdb_last_save_time", "0"))).toString();
        String save = saveRules(link);
        out.add("redis: persistence " + (save == null
            ? "AOF off (a restart of redis-server keeps only the last RDB snapshot, if any, taken "
                + lastSave + ")"
            : save.isEmpty()
                ? "NONE (AOF off, no RDB snapshots): a restart of redis-server loses every job"
                : "RDB snapshots only (save " + save + "): a restart loses the jobs since the last "
                    + "one, " + lastSave));
      }
    } catch (RuntimeException e) {
      out.add("redis: cannot read INFO persistence (" + firstLine(e.getMessage()) + ")");
    }
    return out;
  }

  /** The {@code save} rules ("" for none), or null if CONFIG is not permitted. */
  private static @Nullable String saveRules(RedisLink link) {
    return config(link, "save");
  }

  /** A configuration parameter's value, or null if CONFIG is not permitted (managed services). */
  private static @Nullable String config(RedisLink link, String name) {
    try {
      return link.call("CONFIG GET " + name, false, c -> c.configGet(name)).getOrDefault(name, null);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String firstLine(@Nullable String m) {
    String s = String.valueOf(m);
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
