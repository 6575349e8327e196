/**
 * The Hacker's Guide to Scaling Python's futurist examples on Spindle: executor statistics before
 * and after, rejection when the backlog is full, periodic tasks with their statistics
 * ({@code ./spindle futurist PROGRAM}).
 */
@NullMarked
package dev.spindle.examples.futurist;

import org.jspecify.annotations.NullMarked;
