/** The in-memory store ({@code memory:} locations): one process, nothing survives it; for tests and embedding. */
@NullMarked
package dev.spindle.queue.memory;

import org.jspecify.annotations.NullMarked;
