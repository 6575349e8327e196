package dev.spindle;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;

/**
 * Captures a generic type for task inputs and outputs: {@code new TypeRef<List<Long>>() {}}.
 * Immutable.
 */
public abstract class TypeRef<T> {
  private final Type type;

  protected TypeRef() {
    Type superclass = getClass().getGenericSuperclass();
    if (!(superclass instanceof ParameterizedType p)) {
      throw new IllegalStateException("TypeRef must be created with a type argument");
    }
    this.type = p.getActualTypeArguments()[0];
  }

  private TypeRef(Type type) {
    this.type = java.util.Objects.requireNonNull(type, "type");
  }

  /**
   * A reference to a type known only at run time, such as a method's generic parameter type (the
   * Spring integration builds tasks from annotated methods with it).
   *
   * @throws NullPointerException if {@code type} is null
   */
  public static TypeRef<Object> of(Type type) {
    return new Captured(type);
  }

  private static final class Captured extends TypeRef<Object> {
    Captured(Type type) {
      super(type);
    }
  }

  /** The captured type. */
  public final Type type() {
    return type;
  }
}
