/**
 * The same application without Spindle (an order endpoint with the same database, web and
 * Actuator), to measure what the starter adds to start-up time and memory
 * ({@code bin/spring-sample-bench.sh}). It is run with the Spindle jars removed from the class path.
 */
@NullMarked
package dev.spindle.spring.baseline;

import org.jspecify.annotations.NullMarked;
