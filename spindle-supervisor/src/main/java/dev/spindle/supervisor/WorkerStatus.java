package dev.spindle.supervisor;

import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A snapshot of one worker position of a service. Immutable.
 *
 * @param service the service's name
 * @param workerId the worker id (0 to workers-1)
 * @param title the process title shown by {@code ps}, e.g. {@code spindle: printer worker(0)}
 * @param state where it stands
 * @param pid the current child's process id, or 0 if there is none (back-off)
 * @param startedAt when the current child was launched, or null if there is none
 * @param uptime how long the current child has been running ({@link Duration#ZERO} if none)
 * @param restarts children started for this position after the first one (crashes, kills, recycling)
 * @param jobs jobs the current child reported ({@link ServiceContext#jobDone()})
 * @param residentBytes the current child's resident set size in bytes, or -1 if unknown
 * @param heapUsedBytes heap in use after the last GC reported by the child, in bytes, or -1 if unknown
 * @param lastExit how the previous child of this position ended (e.g. {@code exit status 137 (killed
 *     by signal 9, SIGKILL)}), or null
 */
public record WorkerStatus(String service, int workerId, String title, WorkerState state, long pid,
    @Nullable Instant startedAt, Duration uptime, int restarts, long jobs, long residentBytes, long heapUsedBytes,
    @Nullable String lastExit) {}
