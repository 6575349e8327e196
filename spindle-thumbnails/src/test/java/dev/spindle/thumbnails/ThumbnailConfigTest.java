package dev.spindle.thumbnails;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ThumbnailConfigTest {
  @Test
  void defaultsAreTheCourses() {
    ThumbnailConfig c = ThumbnailConfig.builder().homeDir(Path.of("h")).build();
    assertThat(c.widths()).containsExactly(200, 64, 32);
    assertThat(c.downloadConcurrency()).isEqualTo(4);
    assertThat(c.variant()).isEqualTo(Variant.PIPELINE);
    assertThat(c.incomingDir()).isEqualTo(Path.of("h").toAbsolutePath().resolve("incoming"));
    assertThat(c.outgoingDir()).isEqualTo(Path.of("h").toAbsolutePath().resolve("outgoing"));
    assertThat(c.resizePool().kind()).isEqualTo(ResizePool.Kind.THREADS);
    assertThat(c.maxPixels()).isEqualTo(89_478_485L);
  }

  @Test
  void invalidValuesAreRefusedWithAReason() {
    ThumbnailConfig.Builder b = ThumbnailConfig.builder();
    assertThatThrownBy(() -> b.widths(List.of())).hasMessageContaining("at least one");
    assertThatThrownBy(() -> b.widths(200, 0)).hasMessageContaining("1..10000");
    assertThatThrownBy(() -> b.widths(64, 64)).hasMessageContaining("given twice");
    assertThatThrownBy(() -> b.downloadConcurrency(-1)).hasMessageContaining("unbounded");
    assertThatThrownBy(() -> b.downloadTimeout(Duration.ZERO)).hasMessageContaining("positive");
    assertThatThrownBy(() -> b.jpegQuality(0f)).hasMessageContaining("jpegQuality");
    assertThatThrownBy(() -> b.reducingGap(0.5)).hasMessageContaining("reducingGap");
    assertThatThrownBy(() -> b.maxPixels(0)).hasMessageContaining("maxPixels");
    assertThatThrownBy(() -> ResizePool.threads(0)).hasMessageContaining("1..1024");
    assertThatThrownBy(() -> Variant.fromName("fast")).hasMessageContaining("thread-per-url");
    assertThatThrownBy(() -> ThumbnailConfig.builder().variant(Variant.PROCESS_POOL)
        .resizePool(ResizePool.queue("memory:x", 1)).build()).hasMessageContaining("child JVMs");
  }

  @Test
  void variantsAreFoundByTheirCliNames() {
    for (Variant v : Variant.values()) {
      assertThat(Variant.fromName(v.cliName())).isEqualTo(v);
      assertThat(Variant.fromName(v.name())).isEqualTo(v);
    }
  }
}
