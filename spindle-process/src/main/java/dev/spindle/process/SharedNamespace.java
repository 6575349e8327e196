package dev.spindle.process;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;
import java.util.Optional;

/**
 * A namespace shared by processes, like {@code multiprocessing.Manager().Namespace()}: named
 * attributes ({@code ns.x = 1} is {@code ns.set("x", 1)}), copied in and out, each access atomic.
 * Backed like {@link SharedDict}. Pass it inside a task input: it serializes to its
 * {@link SharedDict.Descriptor}. Thread-safe and process-safe; the creator's {@link #close()}
 * removes it.
 */
public final class SharedNamespace implements AutoCloseable {
  private final SharedDict attributes;

  private SharedNamespace(SharedDict attributes) {
    this.attributes = attributes;
  }

  /** An empty namespace. */
  public static SharedNamespace create() {
    return new SharedNamespace(SharedDict.create());
  }

  /** Attaches to a namespace created elsewhere. */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static SharedNamespace open(SharedDict.Descriptor d) {
    return new SharedNamespace(SharedDict.open(d));
  }

  /** What to send to another process. */
  @JsonValue
  public SharedDict.Descriptor descriptor() {
    return attributes.descriptor();
  }

  /** Sets an attribute. */
  public void set(String name, Object value) {
    attributes.put(name, value);
  }

  /**
   * An attribute as {@code type}.
   *
   * @throws IllegalArgumentException if there is no such attribute (Python's AttributeError)
   */
  public <T> T get(String name, Class<T> type) {
    return attributes.get(name, type).orElseThrow(() -> new IllegalArgumentException(
        "'Namespace' object has no attribute '" + name + "'"));
  }

  /** An attribute, if set. */
  public <T> Optional<T> find(String name, Class<T> type) {
    return attributes.get(name, type);
  }

  /** The attribute names, in the order first set. */
  public List<String> names() {
    return attributes.keys();
  }

  /** The creator removes it; for other handles this does nothing. */
  @Override
  public void close() {
    attributes.close();
  }

  @Override
  public String toString() {
    return "SharedNamespace" + attributes.toMap(Object.class);
  }
}
