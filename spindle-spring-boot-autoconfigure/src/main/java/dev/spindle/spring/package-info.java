/**
 * Spindle in Spring applications: {@link dev.spindle.spring.SpindleTask} (tasks from bean
 * methods), {@link dev.spindle.spring.SpindleEnqueuer} (enqueue that follows Spring
 * transactions), {@link dev.spindle.spring.SpindleWorker} (a worker with the context's life cycle).
 * The Boot auto-configuration is in {@code dev.spindle.spring.boot}.
 */
@NullMarked
package dev.spindle.spring;

import org.jspecify.annotations.NullMarked;
