package dev.spindle.coordination.internal;

import dev.spindle.coordination.CoordinationException;
import dev.spindle.coordination.Holder;
import dev.spindle.coordination.Member;
import dev.spindle.coordination.RegisterValue;
import dev.spindle.coordination.spi.CoordinationBackend;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The Redis backend: processes on many hosts. Every operation is one Lua script that reads the
 * time with Redis {@code TIME} inside the script (microseconds), so leases and memberships are
 * judged on the Redis node's clock, never a client's. Keys: {@code <ns>:coord:h:{name}} (holders,
 * a sorted set by expiry), {@code :t:{name}} (their tokens), {@code :s:{name}} (the token sequence,
 * never expired), {@code :g:{group}} and {@code :c:{group}} (members, capabilities),
 * {@code :r:{name}} (registers); the braces keep one name's keys in one Cluster slot.
 *
 * <p>Guarantees: one Redis primary decides; with replication, a failover that loses acknowledged
 * writes can hand a lease out twice and reuse tokens (use {@code appendfsync always} and no
 * failover, or accept it). One shared Lettuce connection for commands and, once a coordinator
 * listens, one for the release channel {@code <ns>:coord:released} (each release publishes the
 * lock's name there so that waiters in every process retry at once). Thread-safe.
 */
public final class RedisBackend implements CoordinationBackend {
  private static final String NOW = "local t = redis.call('TIME')\n"
      + "local now = tonumber(t[1]) * 1000000 + tonumber(t[2])\n";
  private static final String PURGE_HOLDERS = "local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)\n"
      + "if #gone > 0 then\n"
      + "  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)\n"
      + "  for _, h in ipairs(gone) do redis.call('HDEL', KEYS[2], h) end\n"
      + "end\n";

  /** A script and its SHA-1. */
  private record Lua(String body, String sha, ScriptOutputType type) {
    static Lua of(String body, ScriptOutputType type) {
      try {
        return new Lua(body, HexFormat.of().formatHex(
            MessageDigest.getInstance("SHA-1").digest(body.getBytes(StandardCharsets.UTF_8))), type);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  // KEYS: holders, tokens, sequence. ARGV: permits, holder, lease_us. -> {1, token} or {0, retry_us}
  private static final Lua ACQUIRE = Lua.of(NOW + PURGE_HOLDERS
      + "if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then\n"
      + "  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')\n"
      + "  return {0, math.max(0, tonumber(first[2]) - now)}\n"
      + "end\n"
      + "local token = redis.call('INCR', KEYS[3])\n"
      + "redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])\n"
      + "redis.call('HSET', KEYS[2], ARGV[2], token)\n"
      + "return {1, token}\n", ScriptOutputType.MULTI);
  // KEYS: holders, tokens. ARGV: holder, token, lease_us -> 1 renewed, 0 lost
  private static final Lua RENEW = Lua.of(NOW
      + "local exp = redis.call('ZSCORE', KEYS[1], ARGV[1])\n"
      + "if not exp or tonumber(exp) <= now or redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then return 0 end\n"
      + "redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])\n"
      + "return 1\n", ScriptOutputType.INTEGER);
  // KEYS: holders, tokens. ARGV: holder, token, release channel, name -> 1 released, 0 not held
  private static final Lua RELEASE = Lua.of(NOW
      + "local exp = redis.call('ZSCORE', KEYS[1], ARGV[1])\n"
      + "if not exp or redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then return 0 end\n"
      + "redis.call('ZREM', KEYS[1], ARGV[1])\n"
      + "redis.call('HDEL', KEYS[2], ARGV[1])\n"
      + "redis.call('PUBLISH', ARGV[3], ARGV[4])\n"
      + "if tonumber(exp) <= now then return 0 end\n"
      + "return 1\n", ScriptOutputType.INTEGER);
  // KEYS: holders, tokens -> {holder, token, expires_us, ...}
  private static final Lua HOLDERS = Lua.of(NOW
      + "local out = {}\n"
      + "local live = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf', 'WITHSCORES')\n"
      + "for i = 1, #live, 2 do\n"
      + "  out[#out + 1] = live[i]\n"
      + "  out[#out + 1] = redis.call('HGET', KEYS[2], live[i]) or '0'\n"
      + "  out[#out + 1] = live[i + 1]\n"
      + "end\n"
      + "return out\n", ScriptOutputType.MULTI);
  // KEYS: members, capabilities. ARGV: member, caps, ttl_us -> 1 joined, 0 refreshed
  private static final Lua HEARTBEAT = Lua.of(NOW + PURGE_HOLDERS
      + "local was = redis.call('ZSCORE', KEYS[1], ARGV[1])\n"
      + "redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])\n"
      + "redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])\n"
      + "if was then return 0 end\n"
      + "return 1\n", ScriptOutputType.INTEGER);
  // KEYS: members, capabilities. ARGV: member
  private static final Lua LEAVE = Lua.of("redis.call('ZREM', KEYS[1], ARGV[1])\n"
      + "redis.call('HDEL', KEYS[2], ARGV[1])\n"
      + "return 1\n", ScriptOutputType.INTEGER);
  // KEYS: members, capabilities -> {member, caps, ...}
  private static final Lua MEMBERS = Lua.of(NOW
      + "local out = {}\n"
      + "local live = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')\n"
      + "table.sort(live)\n"
      + "for _, m in ipairs(live) do\n"
      + "  out[#out + 1] = m\n"
      + "  out[#out + 1] = redis.call('HGET', KEYS[2], m) or '{}'\n"
      + "end\n"
      + "return out\n", ScriptOutputType.MULTI);
  // KEYS: register. ARGV: token, value -> 1 written, 0 stale
  private static final Lua WRITE = Lua.of("local cur = redis.call('HGET', KEYS[1], 'token')\n"
      + "if cur and tonumber(cur) > tonumber(ARGV[1]) then return 0 end\n"
      + "redis.call('HSET', KEYS[1], 'token', ARGV[1], 'value', ARGV[2])\n"
      + "return 1\n", ScriptOutputType.INTEGER);

  // KEYS: register. ARGV: token -> {value or nil, token}
  private static final Lua READ_FENCED = Lua.of("local cur = tonumber(redis.call('HGET', KEYS[1], 'token') or '-1')\n"
      + "if tonumber(ARGV[1]) > cur then redis.call('HSET', KEYS[1], 'token', ARGV[1]) end\n"
      + "return redis.call('HMGET', KEYS[1], 'value', 'token')\n", ScriptOutputType.MULTI);

  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;
  private final RedisCommands<String, String> redis;
  private final String prefix;
  private final String where;
  private final String releases;
  private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
  private @Nullable StatefulRedisPubSubConnection<String, String> pubSub;

  /**
   * Connects to {@code url}.
   *
   * @throws CoordinationException if Redis cannot be reached
   */
  public RedisBackend(String url, String namespace) {
    this.prefix = namespace + ":coord:";
    this.releases = prefix + "released";
    RedisURI uri = RedisURI.create(url);
    this.where = uri.getHost() + ":" + uri.getPort();
    this.client = RedisClient.create(uri);
    try {
      this.connection = client.connect();
    } catch (RedisException e) {
      client.shutdown();
      throw new CoordinationException("cannot connect to Redis at " + where + ": " + e.getMessage(), e);
    }
    this.redis = connection.sync();
  }

  private String key(String kind, String name) {
    return prefix + kind + ":{" + name + "}";
  }

  private Object run(Lua lua, String[] keys, String... args) {
    try {
      try {
        return redis.evalsha(lua.sha(), lua.type(), keys, args);
      } catch (RedisNoScriptException e) {
        return redis.eval(lua.body(), lua.type(), keys, args);
      }
    } catch (RedisException e) {
      throw new CoordinationException("Redis at " + where + " failed: " + e.getMessage(), e);
    }
  }

  private static long us(Duration d) {
    return d.toNanos() / 1000;
  }

  private String[] lockKeys(String name) {
    return new String[] {key("h", name), key("t", name), key("s", name)};
  }

  @Override
  public Grant tryAcquire(String name, int permits, String holder, Duration lease) {
    List<?> r = (List<?>) run(ACQUIRE, lockKeys(name), Integer.toString(permits), holder, Long.toString(us(lease)));
    long ok = (Long) r.get(0);
    long v = (Long) r.get(1);
    return ok == 1 ? Grant.of(v) : Grant.refused(Duration.of(v, ChronoUnit.MICROS));
  }

  @Override
  public boolean renew(String name, String holder, long token, Duration lease) {
    return (Long) run(RENEW, lockKeys(name), holder, Long.toString(token), Long.toString(us(lease))) == 1;
  }

  @Override
  public boolean release(String name, String holder, long token) {
    return (Long) run(RELEASE, lockKeys(name), holder, Long.toString(token), releases, name) == 1;
  }

  /** Subscribes (once, on a second connection) to the namespace's release channel. */
  @Override
  public synchronized void onReleased(Consumer<String> listener) {
    listeners.add(listener);
    if (pubSub != null) {
      return;
    }
    try {
      StatefulRedisPubSubConnection<String, String> ps = client.connectPubSub();
      ps.addListener(new RedisPubSubAdapter<>() {
        @Override
        public void message(String channel, String message) {
          for (Consumer<String> l : listeners) {
            l.accept(message);
          }
        }
      });
      ps.sync().subscribe(releases);
      pubSub = ps;
    } catch (RedisException e) {
      // waiters poll instead
    }
  }

  @Override
  public List<Holder> holders(String name) {
    List<?> r = (List<?>) run(HOLDERS, lockKeys(name));
    List<Holder> out = new ArrayList<>();
    for (int i = 0; i + 2 < r.size(); i += 3) {
      long expUs = Long.parseLong(String.valueOf(r.get(i + 2)));
      out.add(new Holder(String.valueOf(r.get(i)), Long.parseLong(String.valueOf(r.get(i + 1))),
          Instant.EPOCH.plus(expUs, ChronoUnit.MICROS)));
    }
    out.sort(Comparator.comparingLong(Holder::token));
    return out;
  }

  private String[] groupKeys(String group) {
    return new String[] {key("g", group), key("c", group)};
  }

  @Override
  public boolean heartbeat(String group, String member, String capabilitiesJson, Duration ttl) {
    return (Long) run(HEARTBEAT, groupKeys(group), member, capabilitiesJson, Long.toString(us(ttl))) == 1;
  }

  @Override
  public void leave(String group, String member) {
    run(LEAVE, groupKeys(group), member);
  }

  @Override
  public List<Member> members(String group) {
    List<?> r = (List<?>) run(MEMBERS, groupKeys(group));
    List<Member> out = new ArrayList<>();
    for (int i = 0; i + 1 < r.size(); i += 2) {
      out.add(new Member(String.valueOf(r.get(i)), String.valueOf(r.get(i + 1))));
    }
    return out;
  }

  @Override
  public boolean writeFenced(String name, long token, String value) {
    return (Long) run(WRITE, new String[] {key("r", name)}, Long.toString(token), value) == 1;
  }

  @Override
  public Optional<RegisterValue> read(String name) {
    try {
      var kv = redis.hmget(key("r", name), "value", "token");
      if (kv.size() < 2 || !kv.get(0).hasValue() || !kv.get(1).hasValue()) {
        return Optional.empty();
      }
      return Optional.of(new RegisterValue(kv.get(0).getValue(), Long.parseLong(kv.get(1).getValue())));
    } catch (RedisException e) {
      throw new CoordinationException("Redis at " + where + " failed: " + e.getMessage(), e);
    }
  }

  @Override
  public Optional<RegisterValue> readFenced(String name, long token) {
    List<?> r = (List<?>) run(READ_FENCED, new String[] {key("r", name)}, Long.toString(token));
    Object v = r.get(0);
    return v == null ? Optional.empty() : Optional.of(new RegisterValue(String.valueOf(v),
        Long.parseLong(String.valueOf(r.get(1)))));
  }

  @Override
  public Instant now() {
    try {
      List<String> t = redis.time();
      return Instant.ofEpochSecond(Long.parseLong(t.get(0)), Long.parseLong(t.get(1)) * 1000);
    } catch (RedisException e) {
      throw new CoordinationException("Redis at " + where + " failed: " + e.getMessage(), e);
    }
  }

  @Override
  public String guarantees() {
    return "redis " + where + ": processes on many hosts; leases on Redis TIME; timeout-based; one primary"
        + " decides (a failover losing writes can grant a lease twice); fencing tokens per name";
  }

  @Override
  public void close() {
    try {
      synchronized (this) {
        if (pubSub != null) {
          pubSub.close();
        }
      }
      connection.close();
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }
}
