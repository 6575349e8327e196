/** The in-memory store ({@code memory:} locations): one process, nothing survives it; for tests and embedding. */
package dev.spindle.queue.memory;
