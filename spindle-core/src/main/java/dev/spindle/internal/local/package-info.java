/**
 * Internal: the in-JVM execution models (SEQUENTIAL, THREADS, VIRTUAL). Not API; use
 * {@link dev.spindle.Spindle#executor(dev.spindle.ExecutionModel)}.
 */
@NullMarked
package dev.spindle.internal.local;

import org.jspecify.annotations.NullMarked;
