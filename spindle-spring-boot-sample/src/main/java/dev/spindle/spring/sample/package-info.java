/**
 * The sample Spring Boot application on the Spindle starter: {@code POST /orders} stores an order
 * and enqueues its confirmation in the same transaction, a {@code @SpindleTask} confirms it on the
 * worker, a cron schedule reports every minute.
 */
@NullMarked
package dev.spindle.spring.sample;

import org.jspecify.annotations.NullMarked;
