/**
 * Internal: the in-JVM execution models (SEQUENTIAL, THREADS, VIRTUAL). Not API; use
 * {@link dev.spindle.Spindle#executor(dev.spindle.ExecutionModel)}.
 */
package dev.spindle.internal.local;
