/**
 * Spindle's test queue in a Spring Boot test: {@link dev.spindle.test.spring.AutoConfigureSpindleTest}
 * on a {@code @SpringBootTest} swaps the application's store and queue for a
 * {@link dev.spindle.test.SpindleTestQueue} (in memory, manual clock, jobs run on the test's thread)
 * and exposes it as a bean. Used only with {@code dev.spindle:spindle-spring-boot-autoconfigure} on
 * the classpath.
 */
@NullMarked
package dev.spindle.test.spring;

import org.jspecify.annotations.NullMarked;
