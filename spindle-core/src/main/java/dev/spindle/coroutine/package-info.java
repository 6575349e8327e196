/**
 * The COROUTINE model: a cooperative, single-threaded event loop with asyncio's shape.
 *
 * <p>{@link dev.spindle.coroutine.EventLoop#run} runs a {@link dev.spindle.coroutine.Coroutine} to
 * completion; inside it, {@link dev.spindle.coroutine.Async} creates tasks (already scheduled),
 * awaits, gathers, waits (first completed / first exception / all), iterates as completed, times
 * out, sleeps, yields, opens task groups and offloads blocking or CPU work to a
 * {@link dev.spindle.TaskExecutor} (THREADS or PROCESSES). {@link dev.spindle.coroutine.AsyncLock},
 * {@link dev.spindle.coroutine.AsyncEvent}, {@link dev.spindle.coroutine.AsyncQueue} and
 * {@link dev.spindle.coroutine.AsyncSemaphore} suspend the calling coroutine instead of blocking
 * the loop. The same {@link dev.spindle.Task}s run on it through
 * {@code Spindle.executor(ExecutionModel.COROUTINE)}.
 *
 * <p>Only one coroutine of a loop runs at a time, and it gives the loop up only where it suspends:
 * a blocking call ({@code Thread.sleep}, a socket read, a CPU loop) blocks every other coroutine,
 * exactly as in asyncio. Cancellation is delivered as a {@link java.util.concurrent.CancellationException}
 * at the next suspension point, where the coroutine may clean up.
 */
@NullMarked
package dev.spindle.coroutine;

import org.jspecify.annotations.NullMarked;
