/**
 * The texts' asyncio programs on Spindle's COROUTINE model ({@link dev.spindle.coroutine.EventLoop}):
 * hello world and chaining, run_in_executor on threads and child JVMs, wait with a timeout, and the
 * event-loop echo server ({@code ./spindle asyncio PROGRAM}).
 */
@NullMarked
package dev.spindle.examples.asyncio;

import org.jspecify.annotations.NullMarked;
