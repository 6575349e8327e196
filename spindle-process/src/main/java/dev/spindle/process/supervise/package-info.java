/**
 * Supervision of child JVMs, shared by the process pool and the service manager: describe a child
 * ({@link dev.spindle.process.supervise.ChildSpec}), start it with a readable {@code ps} title
 * ({@link dev.spindle.process.supervise.JvmLauncher}), watch it
 * ({@link dev.spindle.process.supervise.ChildProcess},
 * {@link dev.spindle.process.supervise.ExitStatus}), keep it running
 * ({@link dev.spindle.process.supervise.Supervisor},
 * {@link dev.spindle.process.supervise.RestartPolicy}), and make sure it never outlives its parent
 * ({@link dev.spindle.process.supervise.ParentWatchdog}).
 */
@NullMarked
package dev.spindle.process.supervise;

import org.jspecify.annotations.NullMarked;
