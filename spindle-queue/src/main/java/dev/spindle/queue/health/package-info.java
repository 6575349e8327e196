/**
 * Watching a store for trouble and telling someone: {@link dev.spindle.queue.health.StallDetector}
 * raises and resolves {@link dev.spindle.queue.spi.Incident}s (stalled queues and workers, queue
 * latency, failure rate, dead jobs) in the store's {@link dev.spindle.queue.spi.IncidentLog}, and
 * {@link dev.spindle.queue.health.WebhookAlerter} posts one alert per incident to webhooks.
 */
@NullMarked
package dev.spindle.queue.health;

import org.jspecify.annotations.NullMarked;
