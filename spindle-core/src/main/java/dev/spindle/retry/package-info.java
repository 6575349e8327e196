/**
 * Retrying a call: {@link dev.spindle.retry.Retry} stops after attempts or elapsed time, waits
 * between attempts by a {@link dev.spindle.retry.Wait} (fixed, random, exponential, jitter, chains),
 * retries on exception types, a predicate or a result predicate, and calls back after each attempt
 * and before each wait. Time is read from an injected monotonic clock and waits go through an
 * injected {@link dev.spindle.retry.Sleeper}, so tests never really sleep.
 *
 * <p>For a job's retries between attempts on the durable queue, see the queue's {@code RetryPolicy},
 * which shares these wait strategies.
 */
@NullMarked
package dev.spindle.retry;

import org.jspecify.annotations.NullMarked;
