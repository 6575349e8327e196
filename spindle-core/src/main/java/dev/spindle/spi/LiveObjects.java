package dev.spindle.spi;

import java.util.List;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ValueSerializer;
import tools.jackson.databind.module.SimpleModule;

/**
 * Refuses to serialize objects that only mean something inside the JVM that holds them: a thread,
 * a thread queue, a lock, a future, an executor, a stream, a socket, a connection. Passed to another
 * process they would be copied into something that no longer works (a queue becomes a list nobody
 * else sees) or fail deep inside Jackson: the Python texts' pickling trap. Their serialization
 * fails at once with a message naming the type (the codec adds the field's path). Thread-safe.
 */
final class LiveObjects {
  /** The types refused, with what to pass instead. */
  private static final List<Class<?>> TYPES = List.of(Thread.class, java.util.concurrent.BlockingQueue.class,
      java.util.concurrent.locks.Lock.class, java.util.concurrent.Future.class, java.util.concurrent.Executor.class,
      java.util.concurrent.Semaphore.class, java.util.concurrent.CountDownLatch.class, java.io.InputStream.class,
      java.io.OutputStream.class, java.io.Reader.class, java.io.Writer.class, java.net.Socket.class,
      java.nio.channels.Channel.class, java.sql.Connection.class);

  private LiveObjects() {}

  /** A Jackson module whose serializers refuse the live types. */
  static SimpleModule module() {
    SimpleModule m = new SimpleModule("spindle-live-objects");
    for (Class<?> t : TYPES) {
      add(m, t);
    }
    return m;
  }

  private static <T> void add(SimpleModule m, Class<T> type) {
    m.addSerializer(type, new ValueSerializer<T>() {
      @Override
      public void serialize(T value, JsonGenerator gen, SerializationContext ctxt) {
        throw DatabindException.from(gen, "a " + value.getClass().getName() + " (a " + type.getSimpleName()
            + ") lives in this JVM only and cannot be sent to another process: copied, it would no longer be"
            + " the same object. Pass data instead (a value, a path, a queue name), or use the cross-process"
            + " primitives (JoinableQueue, SharedLock, SharedEvent)");
      }
    });
  }
}
