/**
 * Coordination between workers: fenced leases ({@link dev.spindle.coordination.FencedLock}: locks
 * and semaphores whose every acquisition carries a monotonic fencing token), a guarded register
 * that rejects writes of stale holders ({@link dev.spindle.coordination.FencedRegister},
 * {@link dev.spindle.coordination.JdbcFence}), an inter-process file lock for one host
 * ({@link dev.spindle.coordination.FileLock}), group membership with heartbeats and watchers,
 * leader election, and a consistent hash ring with a partitioner over a group. Open a backend with
 * {@link dev.spindle.coordination.Coordinator#builder()}.
 */
@NullMarked
package dev.spindle.coordination;

import org.jspecify.annotations.NullMarked;
