package dev.spindle;

import java.util.Iterator;

/**
 * The outputs of {@link TaskExecutor#map}, in input order. Not thread-safe: one consumer.
 *
 * <p>{@link #next()} throws {@link TaskFailedException} for an input whose execution failed (the
 * iteration may go on past it), {@link TaskTimeoutException} when the map's timeout ran out, and
 * {@link java.util.concurrent.CancellationException} for a cancelled execution. {@link #close()}
 * cancels whatever is still pending.
 */
public interface ResultIterator<O> extends Iterator<O>, AutoCloseable {
  @Override
  void close();
}
