/**
 * The {@code PROCESSES} execution model and the cross-process primitives.
 *
 * <p>Add {@code spindle-process} to the class path and {@code Spindle.executor(PROCESSES)} starts a
 * pool of long-lived worker JVMs ({@link dev.spindle.process.ProcessExecutorProvider}), configured
 * by {@link dev.spindle.process.ProcessOptions}. Tasks must come from a
 * {@link dev.spindle.TaskCatalog}, because each worker rebuilds the registry by class name.
 *
 * <p>{@link dev.spindle.process.SharedCounter}, {@link dev.spindle.process.SharedEvent},
 * {@link dev.spindle.process.SharedLock} and {@link dev.spindle.process.JoinableQueue} work across
 * processes of the same user; their handles travel inside task inputs as small JSON descriptors.
 */
@NullMarked
package dev.spindle.process;

import org.jspecify.annotations.NullMarked;
