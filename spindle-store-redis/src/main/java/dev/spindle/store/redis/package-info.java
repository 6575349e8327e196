/**
 * The Redis job store: {@link dev.spindle.store.redis.RedisJobStore} (a
 * {@link dev.spindle.queue.spi.JobStore} and {@link dev.spindle.queue.spi.JobInspector} on Redis
 * 6.2+, standalone or Cluster; Valkey should work but is not tested), its configuration
 * {@link dev.spindle.store.redis.RedisStoreConfig} (URL or builder; secrets from the environment),
 * and the providers that open it for {@code redis:} and {@code rediss:} store locations.
 */
@NullMarked
package dev.spindle.store.redis;

import org.jspecify.annotations.NullMarked;
