package dev.spindle.testkit.redis;

import java.util.ArrayList;
import java.util.List;

/**
 * A real Redis Cluster for tests: {@code n} {@link RedisServer}s in cluster mode on loopback ports,
 * the 16384 hash slots split evenly between them (primaries only, no replicas), joined with
 * {@code CLUSTER MEET}. {@link #start} returns once every node reports {@code cluster_state:ok} and
 * knows every other node. Thread-safe; {@link #close()} kills every node.
 */
public final class RedisCluster implements AutoCloseable {
  /** Hash slots in a Redis Cluster. */
  public static final int SLOTS = 16384;

  private final List<RedisServer> nodes;

  private RedisCluster(List<RedisServer> nodes) {
    this.nodes = List.copyOf(nodes);
  }

  /**
   * Starts an {@code n}-node cluster.
   *
   * @throws IllegalArgumentException if n is not in 1..16
   * @throws IllegalStateException if a node cannot start or the cluster does not form
   */
  public static RedisCluster start(int n) {
    return start(n, false);
  }

  /**
   * Starts an {@code n}-node cluster whose nodes keep an append-only file ({@code appendfsync
   * everysec}) if {@code appendOnly}, so a node killed and {@link RedisServer#restart() restarted}
   * comes back with its data and its cluster configuration.
   *
   * @throws IllegalArgumentException if n is not in 1..16
   * @throws IllegalStateException if a node cannot start or the cluster does not form
   */
  public static RedisCluster start(int n, boolean appendOnly) {
    return start(n, appendOnly, "everysec");
  }

  /**
   * Starts an {@code n}-node cluster as {@link #start(int, boolean)}, with this AOF fsync policy
   * ({@link RedisServer.Builder#appendFsync}): {@code always} for tests that kill a node and assert
   * that nothing it acknowledged is lost.
   *
   * @throws IllegalArgumentException if n is not in 1..16 or the policy is unknown
   * @throws IllegalStateException if a node cannot start or the cluster does not form
   */
  public static RedisCluster start(int n, boolean appendOnly, String appendFsync) {
    if (n < 1 || n > 16) {
      throw new IllegalArgumentException("a test cluster has 1..16 nodes: " + n);
    }
    List<RedisServer> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        nodes.add(RedisServer.builder().appendOnly(appendOnly).appendFsync(appendFsync).cluster(true).start());
      }
      for (int i = 0; i < n; i++) {
        int from = i * SLOTS / n;
        int to = (i + 1) * SLOTS / n;
        List<String> cmd = new ArrayList<>(List.of("CLUSTER", "ADDSLOTS"));
        for (int slot = from; slot < to; slot++) {
          cmd.add(Integer.toString(slot));
        }
        nodes.get(i).command(cmd.toArray(String[]::new));
      }
      RedisServer first = nodes.get(0);
      for (int i = 1; i < n; i++) {
        first.command("CLUSTER", "MEET", nodes.get(i).host(), Integer.toString(nodes.get(i).port()));
      }
      for (RedisServer node : nodes) {
        node.awaitCondition(() -> {
          String info = (String) node.command("CLUSTER", "INFO");
          return info != null && info.contains("cluster_state:ok") && info.contains("cluster_known_nodes:" + n + "\r\n");
        }, "cluster_state:ok");
      }
      return new RedisCluster(nodes);
    } catch (RuntimeException e) {
      nodes.forEach(RedisServer::close);
      throw e;
    }
  }

  /** The nodes, in slot order (node 0 holds the lowest slots). */
  public List<RedisServer> nodes() {
    return nodes;
  }

  /** A seed URL ({@code redis://127.0.0.1:<port of node 0>}); cluster clients discover the rest. */
  public String seedUrl() {
    return nodes.get(0).url();
  }

  /** The node that serves {@code slot}. */
  public RedisServer nodeForSlot(int slot) {
    int n = nodes.size();
    for (int i = n - 1; i > 0; i--) {
      if (slot >= i * SLOTS / n) {
        return nodes.get(i);
      }
    }
    return nodes.get(0);
  }

  /** The hash slot of a key, as Redis Cluster computes it (CRC16 of the hash tag or the whole key). */
  public static int slot(String key) {
    int open = key.indexOf('{');
    if (open >= 0) {
      int close = key.indexOf('}', open + 1);
      if (close > open + 1) {
        key = key.substring(open + 1, close);
      }
    }
    byte[] bytes = key.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    int crc = 0;
    for (byte b : bytes) {
      crc ^= (b & 0xff) << 8;
      for (int i = 0; i < 8; i++) {
        crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
        crc &= 0xffff;
      }
    }
    return crc % SLOTS;
  }

  /** Kills every node and deletes their data. */
  @Override
  public void close() {
    nodes.forEach(RedisServer::close);
  }
}
