package dev.spindle.web.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AssetsTest {
  @Test
  void missingAssetsAreNeitherLookedUpNorKept() {
    Map<String, String> jar = Map.of("app.css", "body{}", "app.js", "'use strict';");
    AtomicInteger lookups = new AtomicInteger();
    Assets assets = new Assets(f -> {
      lookups.incrementAndGet(); // each lookup of a new name is kept by the class loaders' own resource caches
      String s = jar.get(f);
      return s == null ? null : new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    });
    assertThat(assets.get("app.css")).hasValueSatisfying(b -> assertThat(new String(b, StandardCharsets.UTF_8))
        .isEqualTo("body{}"));
    for (int i = 0; i < 10_000; i++) {
      assertThat(assets.get("missing-" + i + ".css")).isEmpty();
    }
    assertThat(assets.get("app.js")).isPresent();
    assertThat(assets.held()).isEqualTo(2);
    assertThat(lookups.get()).isLessThanOrEqualTo(2);
  }

  @Test
  void theJarHoldsTheDashboardsAssets() {
    Assets assets = Assets.fromJar();
    assertThat(assets.get("app.css")).isPresent();
    assertThat(assets.get("app.js")).isPresent();
    assertThat(assets.get("nope.css")).isEmpty();
    assertThat(assets.held()).isEqualTo(2);
  }
}
