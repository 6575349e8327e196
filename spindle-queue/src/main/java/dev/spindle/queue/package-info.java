/** The durable job queue: {@link dev.spindle.queue.JobQueue} (enqueue, inspect) and {@link dev.spindle.queue.Worker} (consume), with retries, delays, priorities, unique keys, limits and schedules, on any store. */
@NullMarked
package dev.spindle.queue;

import org.jspecify.annotations.NullMarked;
