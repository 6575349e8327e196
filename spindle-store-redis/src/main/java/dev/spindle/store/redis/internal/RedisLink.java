package dev.spindle.store.redis.internal;

import dev.spindle.queue.StoreException;
import dev.spindle.queue.StoreException.Reason;
import dev.spindle.store.redis.RedisStoreConfig;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.SslVerifyMode;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.event.Event;
import io.lettuce.core.event.connection.ConnectionActivatedEvent;
import io.lettuce.core.event.connection.ReconnectFailedEvent;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.NettyCustomizer;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's connection to Redis (standalone or Cluster) through Lettuce: one multiplexed command
 * connection shared by all threads, pub/sub connections on demand, and the rules for failures.
 *
 * <ul>
 *   <li>Lettuce reconnects on its own after the server restarts or the network drops (retrying
 *       every 5-500 ms); commands issued meanwhile wait for the connection, up to the command
 *       timeout.
 *   <li>A call whose failure may be temporary (connection lost, no reply in time, server loading
 *       or busy) is retried with the <em>same arguments</em>, so with the same request id, until
 *       the retry budget runs out: scripts that change data recognise a repeated request id and
 *       return the first reply instead of acting twice.
 *   <li>A connection that stops answering while it looks open (a half-open TCP connection) is
 *       replaced after two command timeouts in a row with no success in between.
 * </ul>
 *
 * Thread-safe.
 */
public final class RedisLink implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RedisLink.class);
  private static final long MAX_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  private static final int AUTH_LOG_SECONDS = 60;
  /** How much longer than the command timeout {@link #close} waits for the connections to close. */
  private static final long CLOSE_GRACE_MILLIS = 3000;
  /**
   * Pooled buffers for every connection. With Netty 4.2's default (the adaptive allocator, whose
   * native memory comes from unpooled memory segments on recent JDKs) a third of a worker's CPU
   * went to allocating and freeing buffers for the many small arguments and replies of a batch.
   */
  private static final PooledByteBufAllocator BUFFERS = new PooledByteBufAllocator(true);

  private final RedisStoreConfig config;
  private final String where;
  private final String[] keys;
  private final ClientResources resources;
  private final AbstractRedisClient client;
  private final RedisURI uri;
  private final SocketOptions socket;
  private final SslOptions ssl;
  private final Object swapLock = new Object();
  private final AtomicInteger timeoutsInARow = new AtomicInteger();
  private volatile @Nullable StatefulConnection<String, String> connection;
  private volatile @Nullable RedisClusterAsyncCommands<String, String> commands;
  private volatile long lastSuccessNanos = System.nanoTime();
  private volatile boolean closed;
  /** Whether scripts run as Redis Functions; decided at open (see {@link #chooseScripting}). */
  private volatile boolean functions;
  /** The server's refusal of the credentials at the last reconnect, or null while it accepts them. */
  private volatile @Nullable String authRefusal;
  private volatile long authLoggedNanos;
  /** The Redis client's I/O threads, once a connection was set up. */
  private volatile @Nullable EventLoopGroup ioThreads;

  // package-private for tests: a link that has not connected yet
  RedisLink(RedisStoreConfig config) {
    this.config = config;
    this.where = config.describe();
    this.keys = new String[] {config.keyPrefix()};
    this.uri = uri(config, true);
    this.resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2)
        .reconnectDelay(Delay.exponential(Duration.ofMillis(5), Duration.ofMillis(500), 2, TimeUnit.MILLISECONDS))
        .nettyCustomizer(new NettyCustomizer() {
          @Override
          public void afterBootstrapInitialized(Bootstrap bootstrap) {
            bootstrap.option(ChannelOption.ALLOCATOR, BUFFERS);
            ioThreads = bootstrap.config().group();
          }
        })
        .build();
    this.socket = SocketOptions.builder().connectTimeout(config.connectTimeout()).keepAlive(true)
        .tcpNoDelay(true).build();
    TimeoutOptions timeouts = TimeoutOptions.builder().fixedTimeout(config.commandTimeout()).build();
    this.ssl = config.caCertificate() == null ? SslOptions.create()
        : SslOptions.builder().jdkSslProvider().trustManager(config.caCertificate().toFile()).build();
    if (config.cluster()) {
      RedisClusterClient c = RedisClusterClient.create(resources, uri);
      c.setOptions(ClusterClientOptions.builder().autoReconnect(true).socketOptions(socket).timeoutOptions(timeouts)
          .sslOptions(ssl).protocolVersion(ProtocolVersion.RESP2).requestQueueSize(100_000)
          // every adaptive refresh trigger is on: Lettuce's default (its enabling methods are deprecated)
          .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder().enablePeriodicRefresh(Duration.ofSeconds(30))
              .build())
          .build());
      this.client = c;
    } else {
      RedisClient c = RedisClient.create(resources, uri);
      c.setOptions(ClientOptions.builder().autoReconnect(true).socketOptions(socket).timeoutOptions(timeouts)
          .sslOptions(ssl).protocolVersion(ProtocolVersion.RESP2).requestQueueSize(100_000).build());
      this.client = c;
    }
    resources.eventBus().get().subscribe(this::onEvent);
  }

  /**
   * Notes reconnects refused for the credentials (the password or ACL user changed while the
   * process ran) and their end, logging one clear error at most every {@value #AUTH_LOG_SECONDS} s.
   */
  private void onEvent(Event e) {
    if (e instanceof ReconnectFailedEvent f) {
      String refusal = StoreErrors.authRefusal(f.getCause());
      if (refusal != null) {
        authRefusal = refusal;
        long now = System.nanoTime();
        long last = authLoggedNanos;
        if (last == 0 || now - last > TimeUnit.SECONDS.toNanos(AUTH_LOG_SECONDS)) {
          authLoggedNanos = now;
          LOG.error("authentication failed (NOAUTH/WRONGPASS): Redis at {} refuses this process's credentials since "
              + "it reconnected ({}). Did the password or ACL user change? Store calls fail until it accepts them "
              + "again; reconnecting meanwhile (this message repeats at most every {} s while it lasts).", where,
              refusal, AUTH_LOG_SECONDS);
        }
      }
    } else if (e instanceof ConnectionActivatedEvent && authRefusal != null) {
      authRefusal = null;
      authLoggedNanos = 0;
      LOG.warn("Redis at {} accepts this process's credentials again", where);
    }
  }

  /**
   * Connects.
   *
   * @throws StoreException CANNOT_OPEN (credentials, TLS, permissions) or UNAVAILABLE (unreachable)
   */
  public static RedisLink open(RedisStoreConfig config) {
    RedisLink link = new RedisLink(config);
    try {
      link.swap(link.connect());
      link.call("checking the connection", false, c -> c.ping());
      link.chooseScripting();
      ServerHealth.checkEviction(link);
      return link;
    } catch (RuntimeException e) {
      link.close();
      throw e instanceof StoreException ? e : link.connectFailure(e);
    }
  }

  private static RedisURI uri(RedisStoreConfig config, boolean withCredentials) {
    RedisURI.Builder b = RedisURI.builder().withHost(config.host()).withPort(config.port())
        .withTimeout(config.commandTimeout()).withSsl(config.tls());
    if (!config.cluster()) {
      b.withDatabase(config.database());
    }
    if (config.tls()) {
      b.withVerifyPeer(switch (config.verifyPeer()) {
        case FULL -> SslVerifyMode.FULL;
        case CA -> SslVerifyMode.CA;
        case NONE -> SslVerifyMode.NONE;
      });
    }
    char[] password = withCredentials ? config.password() : null; // a copy Lettuce keeps to re-authenticate
    if (password != null) {
      if (config.username() != null) {
        b.withAuthentication(config.username(), password);
      } else {
        b.withPassword(password);
      }
    }
    if (config.clientName() != null) {
      b.withClientName(config.clientName());
    }
    return b.build();
  }

  private StatefulConnection<String, String> connect() {
    try {
      if (client instanceof RedisClusterClient c) {
        return c.connect(Utf8Codec.INSTANCE);
      }
      return ((RedisClient) client).connect(Utf8Codec.INSTANCE);
    } catch (RuntimeException e) {
      throw connectFailure(e);
    }
  }

  /**
   * The exception for a failed connect: CANNOT_OPEN for refused credentials or a failed TLS
   * handshake, UNAVAILABLE when the server cannot be reached. A failure that names neither (a
   * handshake that reports only its closed channel) asks the server about the credentials directly.
   */
  StoreException connectFailure(Throwable e) {
    StringBuilder chain = new StringBuilder();
    String refusal = StoreErrors.authRefusal(e);
    boolean tls = false;
    boolean unreachable = false;
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage());
      if (chain.length() > 0) {
        chain.append(": ");
      }
      chain.append(m.lines().findFirst().orElse(""));
      tls |= t instanceof javax.net.ssl.SSLException || t instanceof java.security.GeneralSecurityException;
      unreachable |= t instanceof java.net.ConnectException || t instanceof java.net.UnknownHostException
          || t instanceof java.nio.channels.UnresolvedAddressException || m.contains("Connection refused");
      if (t.getCause() == t) {
        break;
      }
    }
    if (refusal == null && !tls && !unreachable) {
      refusal = CredentialCheck.refusal(config, uri(config, false), resources, socket, ssl);
      if (refusal != null) {
        chain.append(": ").append(refusal);
      }
    }
    if (refusal != null) {
      return new StoreException(Reason.CANNOT_OPEN, "authentication failed (NOAUTH/WRONGPASS): Redis at " + where
          + " refused the credentials (" + chain
          + "). Check the user name and password (URL, passwordFile or SPINDLE_REDIS_PASSWORD).", e);
    }
    if (tls || (config.tls() && !unreachable)) {
      return new StoreException(Reason.CANNOT_OPEN, "the TLS handshake with Redis at " + where + " failed (" + chain
          + "). Is that a TLS port (tls-port)? rediss:// needs one; use redis:// for a plain port. Else check the "
          + "server certificate, caCert and verifyPeer.", e);
    }
    return new StoreException(Reason.UNAVAILABLE, "cannot connect to Redis at " + where + " (" + chain
        + "). Is redis-server running and reachable?", e);
  }

  private void swap(StatefulConnection<String, String> c) {
    StatefulConnection<String, String> old;
    synchronized (swapLock) {
      old = connection;
      connection = c;
      commands = c instanceof StatefulRedisClusterConnection<String, String> cc ? cc.async()
          : ((StatefulRedisConnection<String, String>) c).async();
      timeoutsInARow.set(0);
      lastSuccessNanos = System.nanoTime();
    }
    if (old != null) {
      old.closeAsync();
    }
  }

  /** The redacted server description, for messages. */
  public String where() {
    return where;
  }

  /** The configuration. */
  public RedisStoreConfig config() {
    return config;
  }

  /**
   * Runs one command, retrying temporary failures with the same arguments within the retry budget
   * if {@code retry}.
   *
   * @param op what is being done, for messages ("enqueue", ...)
   * @throws StoreException (or {@link dev.spindle.queue.IllegalJobTransitionException}) on failure
   * @throws IllegalStateException if called on the Redis client's I/O thread (from a stage that
   *     depends on an asynchronous call), where waiting for a reply would wait for itself
   */
  public <T> T call(String op, boolean retry,
      Function<RedisClusterAsyncCommands<String, String>, ? extends CompletionStage<T>> command) {
    return retried(op, retry, command, System.nanoTime() + (retry ? config.retryBudget().toNanos() : 0), null);
  }

  /**
   * {@link #call}'s attempts until one succeeds or the failure is final; the first attempt's
   * failure is {@code failed} if that attempt was already made (asynchronously).
   */
  private <T> T retried(String op, boolean retry,
      Function<RedisClusterAsyncCommands<String, String>, ? extends CompletionStage<T>> command, long deadline,
      @Nullable Throwable failed) {
    checkMayBlock();
    long backoff = TimeUnit.MILLISECONDS.toNanos(5);
    while (true) {
      if (failed != null) {
        afterFailure(op, retry, failed, deadline, backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_NANOS);
      }
      checkReady(op);
      try {
        T r = await(command.apply(commands));
        succeeded();
        return r;
      } catch (StoreException e) {
        throw e;
      } catch (Throwable e) {
        failed = e;
      }
    }
  }

  /** Throws if the link is closed or the server refused the credentials at the last reconnect. */
  private void checkReady(String op) {
    checkOpen();
    String refused = authRefusal;
    if (refused != null) {
      throw StoreErrors.authFailed(op, where, refused, null);
    }
  }

  private void succeeded() {
    timeoutsInARow.set(0);
    lastSuccessNanos = System.nanoTime();
  }

  /**
   * After a failed attempt: throws the mapped failure if it is final (not retried, not retryable,
   * or no budget left for {@code backoff}), else waits {@code backoff} before the next attempt.
   */
  private void afterFailure(String op, boolean retry, Throwable e, long deadline, long backoff) {
    if (e instanceof RedisCommandTimeoutException) {
      onTimeout();
    }
    if (closed) {
      throw closedException();
    }
    String refused = authRefusal;
    if (refused != null) {
      throw StoreErrors.authFailed(op, where, refused, e);
    }
    if (!retry || !StoreErrors.retryable(e) || System.nanoTime() + backoff > deadline) {
      throw StoreErrors.map(e, op, where);
    }
    if (StoreErrors.unknownSlot(e) && client instanceof RedisClusterClient c) {
      c.refreshPartitions();
    }
    LockSupport.parkNanos(backoff);
  }

  /**
   * Runs a script: its function with FCALL where the server has Redis Functions (loading the
   * library first if the server lost it: a restart without persistence, FUNCTION FLUSH, a new
   * Cluster master), else EVALSHA (EVAL if the server lost its script cache); retrying like
   * {@link #call}.
   */
  public <T> T script(Script s, boolean retry, String... args) {
    return call(s.label(), retry, scriptCall(s, args));
  }

  /**
   * {@link #script} with retries, without waiting: the first attempt is sent from the calling
   * thread and, if it succeeds, the future completes on the Redis client's I/O thread; a failed
   * attempt is followed up (retried within the budget, or mapped to a {@link StoreException}) on a
   * new virtual thread, which then completes the future. Stages that depend on it must not block.
   */
  public <T> CompletableFuture<T> scriptAsync(Script s, String... args) {
    long deadline = System.nanoTime() + config.retryBudget().toNanos();
    Function<RedisClusterAsyncCommands<String, String>, CompletionStage<T>> command = scriptCall(s, args);
    CompletableFuture<T> first;
    try {
      checkReady(s.label());
      first = command.apply(commands).toCompletableFuture();
    } catch (RuntimeException e) {
      first = CompletableFuture.failedFuture(e);
    }
    CompletableFuture<T> out = new CompletableFuture<>();
    first.whenComplete((r, e) -> {
      if (e == null) {
        succeeded();
        out.complete(r);
        return;
      }
      Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
      if (cause instanceof StoreException) {
        out.completeExceptionally(cause);
        return;
      }
      Thread.ofVirtual().name("spindle-redis-retry").start(() -> {
        try {
          out.complete(retried(s.label(), true, command, deadline, cause));
        } catch (Throwable t) {
          out.completeExceptionally(t);
        }
      });
    });
    return out;
  }

  /** One attempt of script {@code s}: FCALL or EVALSHA, reloading what the server lost. */
  @SuppressWarnings("unchecked")
  private <T> Function<RedisClusterAsyncCommands<String, String>, CompletionStage<T>> scriptCall(Script s,
      String... args) {
    if (functions) {
      return c -> {
        CompletionStage<T> first = c.fcall(s.function(), s.output(), keys, args);
        return first.exceptionallyCompose(e -> StoreErrors.noFunction(e)
            ? loadLibrary(c).thenCompose(x -> (CompletionStage<T>) c.fcall(s.function(), s.output(), keys, args))
            : CompletableFuture.failedStage(e));
      };
    }
    return c -> {
      CompletionStage<T> first = c.evalsha(s.sha(), s.output(), keys, args);
      return first.exceptionallyCompose(e -> StoreErrors.noScript(e)
          ? (CompletionStage<T>) c.eval(s.body(), s.output(), keys, args)
          : CompletableFuture.failedStage(e));
    };
  }

  /** True if scripts run as Redis Functions (FCALL), false if as EVAL scripts (see {@link Script}). */
  public boolean functions() {
    return functions;
  }

  /**
   * Loads the library (replacing a library of the same name: the name is the content's hash, so
   * that replaces it with itself), on every master of a Cluster.
   */
  private CompletionStage<?> loadLibrary(RedisClusterAsyncCommands<String, String> c) {
    String text = Script.library().text();
    if (connection instanceof StatefulRedisClusterConnection<String, String> cc) {
      List<CompletableFuture<String>> loads = new ArrayList<>();
      for (RedisClusterNode node : cc.getPartitions()) {
        if (node.is(RedisClusterNode.NodeFlag.UPSTREAM)) {
          loads.add(cc.getConnectionAsync(node.getNodeId())
              .thenCompose(n -> n.async().functionLoad(text, true)).toCompletableFuture());
        }
      }
      return CompletableFuture.allOf(loads.toArray(CompletableFuture[]::new));
    }
    return c.functionLoad(text, true);
  }

  /**
   * Decides how scripts run: loads the Functions library, or falls back to EVAL scripts where the
   * server has no FUNCTION command (before Redis 7) or the ACL user may not load functions, or
   * when the system property {@value RedisStoreConfig#SCRIPTING_PROPERTY} is {@code eval} (for comparisons).
   */
  private void chooseScripting() {
    if ("eval".equals(System.getProperty(RedisStoreConfig.SCRIPTING_PROPERTY))) {
      functions = false;
      return;
    }
    try {
      call("loading the Lua function library", true, this::loadLibrary);
      functions = true;
    } catch (RuntimeException e) {
      if (!StoreErrors.functionsUnavailable(e)) {
        throw e;
      }
      functions = false;
      LOG.info("Redis at {} does not run Redis Functions for this user, so the store's scripts run with EVALSHA, "
          + "which costs more Redis CPU per call: {}", where, e.getMessage());
    }
  }

  private <T> T await(CompletionStage<T> stage) throws Throwable {
    CompletableFuture<T> f = stage.toCompletableFuture();
    try {
      return f.get(config.commandTimeout().toMillis() + 2000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() == null ? e : e.getCause();
    } catch (TimeoutException e) {
      f.cancel(false);
      throw new RedisCommandTimeoutException("no reply within " + config.commandTimeout());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException(Reason.IO, "interrupted while waiting for Redis at " + where
          + "; the last command may or may not have been applied", e);
    }
  }

  /**
   * Throws if the calling thread is one of the Redis client's I/O threads, where waiting for a reply
   * would wait for itself; call it before any wait for a reply.
   *
   * @throws IllegalStateException on an I/O thread (a stage that depends on an asynchronous call)
   */
  public void checkMayBlock() {
    if (onIoThread()) {
      throw new IllegalStateException("a blocking call to the Redis store at " + where + " on the Redis client's I/O "
          + "thread (in a stage that depends on an asynchronous call, such as JobQueue.enqueueAsync) would wait for "
          + "itself: block only in stages run on another executor (thenApplyAsync(fn, executor))");
    }
  }

  /** True on one of the Redis client's I/O threads. */
  private boolean onIoThread() {
    EventLoopGroup g = ioThreads;
    if (g == null) {
      return false;
    }
    for (EventExecutor e : g) {
      if (e.inEventLoop()) {
        return true;
      }
    }
    return false;
  }

  private void onTimeout() {
    int n = timeoutsInARow.incrementAndGet();
    long silent = System.nanoTime() - lastSuccessNanos;
    if (n >= 2 && silent > 2 * config.commandTimeout().toNanos()) {
      replaceConnection("no reply for " + TimeUnit.NANOSECONDS.toMillis(silent) + " ms");
    }
  }

  /**
   * Replaces the command connection by a new one (the watchdog's remedy for a connection that looks
   * open but does not answer). Keeps the old one if a new one cannot be made now.
   */
  public void replaceConnection(String why) {
    if (closed) {
      return;
    }
    try {
      StatefulConnection<String, String> c = connect();
      LOG.warn("Redis at {}: replaced the command connection ({})", where, why);
      swap(c);
    } catch (RuntimeException e) {
      LOG.warn("Redis at {}: the command connection seems stuck ({}) and a new one cannot be made yet: {}", where, why,
          e.getMessage());
    }
  }

  /**
   * {@code INFO <section>} of the server that holds the namespace (in a Cluster: the primary
   * serving the namespace's slot), without retries.
   */
  public String namespaceInfo(String section) {
    if (connection instanceof StatefulRedisClusterConnection<String, String> cc) {
      int slot = SlotHash.getSlot(config.keyPrefix());
      RedisClusterNode node = cc.getPartitions().getPartitionBySlot(slot);
      if (node != null) {
        return call("INFO " + section, false, c -> cc.getConnection(node.getNodeId()).async().info(section));
      }
    }
    return call("INFO " + section, false, c -> c.info(section));
  }

  /** Nanos ({@link System#nanoTime()}) of the last successful command. */
  public long lastSuccessNanos() {
    return lastSuccessNanos;
  }

  /** A new pub/sub connection (the caller closes it). */
  public StatefulRedisPubSubConnection<String, String> connectPubSub() {
    checkOpen();
    try {
      if (client instanceof RedisClusterClient c) {
        return c.connectPubSub(Utf8Codec.INSTANCE);
      }
      return ((RedisClient) client).connectPubSub(Utf8Codec.INSTANCE);
    } catch (RuntimeException e) {
      throw connectFailure(e);
    }
  }

  /** Listens to connects and disconnects of every connection of this link. */
  public void addListener(RedisConnectionStateListener listener) {
    client.addListener(listener);
  }

  /** Runs a command without waiting or retrying (watchdog probes). */
  public <T> CompletableFuture<T> fire(Function<RedisClusterAsyncCommands<String, String>, ? extends CompletionStage<T>> c) {
    return c.apply(commands).toCompletableFuture();
  }

  private void checkOpen() {
    if (closed) {
      throw closedException();
    }
  }

  private StoreException closedException() {
    return new StoreException(Reason.CLOSED, "the job store " + where + " is closed");
  }

  /**
   * Closes the connections (the client's shutdown closes every one) and the client threads, within
   * the command timeout plus {@link #CLOSE_GRACE_MILLIS}: Lettuce's own shutdown waits for every
   * connection's close without a bound, and one left reconnecting to a cluster node that was
   * killed and restarted never finished (a test's close hung for 15 minutes); closing the client
   * threads closes whatever is left. Idempotent.
   */
  @Override
  public void close() {
    synchronized (swapLock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    long bound = config.commandTimeout().toMillis() + CLOSE_GRACE_MILLIS;
    try {
      client.shutdownAsync(0, 2, TimeUnit.SECONDS).get(bound, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      LOG.warn("the Redis client of {} did not close its connections within {} ms; closing its threads, which closes "
          + "them", where, bound);
    } catch (ExecutionException | RuntimeException e) {
      LOG.debug("shutting the Redis client down", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }
}
