package dev.spindle;

/**
 * Where a task's code runs. The same {@link Task} gives the same results on each.
 *
 * <table>
 *   <caption>Models</caption>
 *   <tr><th>model</th><th>runs on</th><th>fits</th></tr>
 *   <tr><td>{@link #SEQUENTIAL}</td><td>one worker thread, in submission order</td><td>baselines, debugging</td></tr>
 *   <tr><td>{@link #THREADS}</td><td>a pool of platform threads (default: one per core)</td><td>CPU-bound work (the JVM has no GIL)</td></tr>
 *   <tr><td>{@link #VIRTUAL}</td><td>virtual threads, optionally limited</td><td>IO-bound work, many waits</td></tr>
 *   <tr><td>{@link #PROCESSES}</td><td>supervised child JVMs (module {@code spindle-process})</td><td>isolation: crashes, leaks, native code</td></tr>
 *   <tr><td>{@link #DISTRIBUTED}</td><td>workers fed by a durable queue (module {@code spindle-queue})</td><td>many machines, durability, retries</td></tr>
 *   <tr><td>{@link #COROUTINE}</td><td>one cooperative event loop ({@link dev.spindle.coroutine.EventLoop}): one execution at a time, switching only where a task suspends</td><td>asyncio-style code, many waits that suspend</td></tr>
 * </table>
 */
public enum ExecutionModel {
  /** One task at a time on a single worker thread. */
  SEQUENTIAL,
  /** A fixed pool of platform threads. */
  THREADS,
  /** One virtual thread per task, or a fixed number of virtual worker threads. */
  VIRTUAL,
  /** A pool of long-lived child JVMs. */
  PROCESSES,
  /** Jobs in a durable queue consumed by workers anywhere. */
  DISTRIBUTED,
  /**
   * A single-threaded cooperative event loop (asyncio): each execution is a coroutine; only one
   * runs at a time and the loop switches only where one suspends ({@link dev.spindle.coroutine.Async}).
   * A plain blocking task therefore holds the loop until it returns, like SEQUENTIAL. Exactly one
   * worker (the loop).
   */
  COROUTINE
}
