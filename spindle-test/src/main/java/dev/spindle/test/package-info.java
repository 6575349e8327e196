/**
 * Testing helpers for applications that enqueue and run Spindle jobs, in the manner of Oban.Testing,
 * Sidekiq::Testing and Temporal's time-skipping test environment: {@link dev.spindle.test.SpindleTestQueue}
 * (a queue on the in-memory store and a manual clock, with enqueue assertions, running due jobs,
 * draining, moving time and running a task inline), {@link dev.spindle.test.JobMatch} (what an
 * assertion expects), and the JUnit 5 {@link dev.spindle.test.SpindleExtension} /
 * {@link dev.spindle.test.SpindleTest}. The Spring Boot support is in {@code dev.spindle.test.spring}.
 */
@NullMarked
package dev.spindle.test;

import org.jspecify.annotations.NullMarked;
