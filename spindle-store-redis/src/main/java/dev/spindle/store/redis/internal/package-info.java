/**
 * Internals of the Redis store: the Lettuce connection and its failure rules
 * ({@link dev.spindle.store.redis.internal.RedisLink}), the Lua scripts
 * ({@link dev.spindle.store.redis.internal.Script}, sources in {@code lua/}), change notifications
 * and the watchdog ({@link dev.spindle.store.redis.internal.ChangeFeed}), and the encodings of
 * times, policies and rows. Not API.
 */
@NullMarked
package dev.spindle.store.redis.internal;

import org.jspecify.annotations.NullMarked;
