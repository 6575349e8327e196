package dev.spindle.web.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The dashboard's static files (stylesheet, script), read from the jar once, when built. A request
 * for any other name is answered from this fixed set without a class-path lookup: a lookup would
 * keep the name in the class loaders' resource caches (and a per-name cache here would keep it
 * too), so unauthenticated requests for made-up names would grow the heap. Immutable.
 */
final class Assets {
  /** The files the pages use. */
  static final List<String> NAMES = List.of("app.css", "app.js");

  private final Map<String, byte[]> files;

  /**
   * The {@link #NAMES} read through {@code resources} (a file name to its stream, or null if absent).
   */
  Assets(Function<String, @Nullable InputStream> resources) {
    Map<String, byte[]> m = new HashMap<>();
    for (String name : NAMES) {
      try (InputStream in = resources.apply(name)) {
        if (in != null) {
          m.put(name, in.readAllBytes());
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    this.files = Map.copyOf(m);
  }

  /** The assets in this jar. */
  static Assets fromJar() {
    return new Assets(f -> Assets.class.getResourceAsStream("/dev/spindle/web/assets/" + f));
  }

  /** The content of asset {@code file}, if there is one. */
  Optional<byte[]> get(String file) {
    return Optional.ofNullable(files.get(file));
  }

  /** How many files are held in memory. */
  int held() {
    return files.size();
  }
}
