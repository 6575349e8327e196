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

  /** The captured type. */
  public final Type type() {
    return type;
  }
}
