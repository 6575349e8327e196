package dev.spindle.process;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * A dictionary shared by processes, like a {@code multiprocessing.Manager().dict()} proxy: string
 * keys, JSON values (records, strings, numbers, lists, maps), in insertion order. Values are copied
 * in and out (changing an object you got does not change the dict: put it back, or use
 * {@link #update}, which reads, changes and writes one entry atomically). Each operation reads and
 * rewrites the whole dictionary under a {@link SharedLock}, so keep it small (up to 1 MiB of JSON).
 * Pass it inside a task input: it serializes to its {@link Descriptor}. Thread-safe and
 * process-safe; the creator's {@link #close()} removes it.
 */
public final class SharedDict implements AutoCloseable {
  private static final String KIND = "dict";

  /** How another process finds the dictionary. */
  public record Descriptor(String path, SharedLock.Descriptor lock) {}

  @SuppressWarnings("rawtypes")
  private static final Class<LinkedHashMap> MAP = LinkedHashMap.class;

  private final JsonDocument doc;

  private SharedDict(JsonDocument doc) {
    this.doc = doc;
  }

  /** An empty dictionary. */
  public static SharedDict create() {
    return new SharedDict(JsonDocument.create(KIND, Map.of()));
  }

  /**
   * Attaches to a dictionary created elsewhere.
   *
   * @throws IllegalArgumentException if the descriptor does not name a dict of this user
   */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static SharedDict open(Descriptor d) {
    return new SharedDict(JsonDocument.open(KIND, d.path(), d.lock()));
  }

  /** What to send to another process. */
  @JsonValue
  public Descriptor descriptor() {
    return new Descriptor(doc.path(), doc.lock());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> cast(LinkedHashMap<?, ?> m) {
    return (Map<String, Object>) m;
  }

  /** Sets {@code key} to a copy of {@code value} (not null). */
  public void put(String key, Object value) {
    Objects.requireNonNull(key, "key");
    Object v = JsonDocument.stored(Objects.requireNonNull(value, "value"), KIND);
    doc.update(MAP, m -> cast(m).put(key, v));
  }

  /** The value of {@code key} as {@code type}, if present. */
  public <T> Optional<T> get(String key, Class<T> type) {
    Object v = doc.read(MAP, m -> cast(m).get(key));
    return v == null ? Optional.empty() : Optional.of(JsonDocument.as(v, type, KIND));
  }

  /** Removes {@code key}; true if it was there. */
  public boolean remove(String key) {
    return doc.update(MAP, m -> cast(m).remove(key) != null);
  }

  /** True if {@code key} is present. */
  public boolean containsKey(String key) {
    return doc.read(MAP, m -> cast(m).containsKey(key));
  }

  /** The number of entries. */
  public int size() {
    return doc.read(MAP, map -> map.size());
  }

  /** The keys, in insertion order. */
  public List<String> keys() {
    return doc.read(MAP, m -> List.copyOf(cast(m).keySet()));
  }

  /**
   * Atomically replaces the value of {@code key} with {@code change(old)} ({@code old} is
   * {@code initial} when absent) and returns the new value.
   */
  public <T> T update(String key, Class<T> type, T initial, UnaryOperator<T> change) {
    return doc.update(MAP, m -> {
      Object cur = cast(m).get(key);
      T next = change.apply(cur == null ? initial : JsonDocument.as(cur, type, KIND));
      cast(m).put(key, JsonDocument.stored(next, KIND));
      return next;
    });
  }

  /** A snapshot of the whole dictionary, values as {@code type}. */
  public <T> Map<String, T> toMap(Class<T> type) {
    return doc.read(MAP, m -> {
      Map<String, T> out = new LinkedHashMap<>();
      cast(m).forEach((k, v) -> out.put(k, JsonDocument.as(v, type, KIND)));
      return out;
    });
  }

  /** The creator removes it; for other handles this does nothing. */
  @Override
  public void close() {
    doc.close();
  }

  @Override
  public String toString() {
    return "SharedDict[" + doc.path() + "]";
  }
}
