package dev.spindle.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.spi.JsonCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The file behind the manager-style objects ({@link SharedDict}, {@link SharedList}, {@link SharedNamespace}). */
@Timeout(120)
class SharedDocumentTest {
  private static final JsonCodec JSON = JsonCodec.defaults();

  /**
   * What the file holds at any instant is what a process killed at that instant leaves behind (its
   * lock is then taken over, see {@code PrimitivesTest.aLockHeldByADeadProcessIsTakenOver}), so a
   * reader that looks at the file without the lock while another thread keeps rewriting it must only
   * ever find a whole document, the old one or the new one.
   */
  @Test
  void theFileAlwaysHoldsAWholeDocumentWhileItIsRewritten() throws Exception {
    try (SharedDict dict = SharedDict.create()) {
      Path file = Path.of(dict.descriptor().path());
      String big = "x".repeat(256 * 1024);
      dict.put("v", big + 0);
      CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
        for (int i = 1; i <= 150; i++) {
          dict.put("v", big + i);
        }
      });
      List<String> torn = new ArrayList<>();
      int reads = 0;
      while (!writer.isDone()) {
        byte[] bytes = Files.readAllBytes(file);
        reads++;
        try {
          JSON.fromBytes(bytes, Map.class, "dict");
        } catch (RuntimeException e) {
          torn.add(bytes.length + " bytes: " + e.getMessage().lines().findFirst().orElse(""));
        }
      }
      writer.join();
      assertThat(reads).isPositive();
      assertThat(torn).as("documents a reader found half-written in %d reads", reads).isEmpty();
      assertThat(dict.get("v", String.class)).contains(big + 150);
      assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
      try (var files = Files.list(file.getParent())) {
        assertThat(files.map(p -> p.getFileName().toString()))
            .as("no temporary file is left behind").noneMatch(n -> n.contains(file.getFileName() + "."));
      }
    }
  }
}
