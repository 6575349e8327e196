package dev.spindle.process;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A list shared by processes, like a {@code multiprocessing.Manager().list()} proxy: JSON values,
 * copied in and out; each operation is atomic and reads and rewrites the whole list under a
 * {@link SharedLock} (keep it up to 1 MiB of JSON). Pass it inside a task input: it serializes to
 * its {@link Descriptor}. Thread-safe and process-safe; the creator's {@link #close()} removes it.
 */
public final class SharedList implements AutoCloseable {
  private static final String KIND = "list";

  /** How another process finds the list. */
  public record Descriptor(String path, SharedLock.Descriptor lock) {}

  @SuppressWarnings("rawtypes")
  private static final Class<ArrayList> LIST = ArrayList.class;

  private final JsonDocument doc;

  private SharedList(JsonDocument doc) {
    this.doc = doc;
  }

  /** An empty list. */
  public static SharedList create() {
    return new SharedList(JsonDocument.create(KIND, List.of()));
  }

  /**
   * Attaches to a list created elsewhere.
   *
   * @throws IllegalArgumentException if the descriptor does not name a list of this user
   */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static SharedList open(Descriptor d) {
    return new SharedList(JsonDocument.open(KIND, d.path(), d.lock()));
  }

  /** What to send to another process. */
  @JsonValue
  public Descriptor descriptor() {
    return new Descriptor(doc.path(), doc.lock());
  }

  @SuppressWarnings("unchecked")
  private static List<Object> cast(ArrayList<?> l) {
    return (List<Object>) l;
  }

  /** Appends a copy of {@code value} (not null) and returns the new size. */
  public int append(Object value) {
    Object v = JsonDocument.stored(Objects.requireNonNull(value, "value"), KIND);
    return doc.update(LIST, l -> {
      cast(l).add(v);
      return l.size();
    });
  }

  /**
   * Element {@code i} as {@code type}.
   *
   * @throws IndexOutOfBoundsException if out of range
   */
  public <T> T get(int i, Class<T> type) {
    return JsonDocument.as(doc.read(LIST, l -> l.get(i)), type, KIND);
  }

  /**
   * Replaces element {@code i}.
   *
   * @throws IndexOutOfBoundsException if out of range
   */
  public void set(int i, Object value) {
    Object v = JsonDocument.stored(Objects.requireNonNull(value, "value"), KIND);
    doc.update(LIST, l -> cast(l).set(i, v));
  }

  /**
   * Removes and returns the last element ({@code pop()}).
   *
   * @throws IndexOutOfBoundsException if empty
   */
  public <T> T pop(Class<T> type) {
    return JsonDocument.as(doc.update(LIST, l -> l.remove(l.size() - 1)), type, KIND);
  }

  /** The number of elements. */
  public int size() {
    return doc.read(LIST, list -> list.size());
  }

  /** A snapshot, elements as {@code type}. */
  public <T> List<T> toList(Class<T> type) {
    return doc.read(LIST, l -> {
      List<T> out = new ArrayList<>();
      for (Object o : l) {
        out.add(JsonDocument.as(o, type, KIND));
      }
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
    return "SharedList[" + doc.path() + "]";
  }
}
