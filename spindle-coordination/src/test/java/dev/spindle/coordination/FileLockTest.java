package dev.spindle.coordination;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileLockTest {
  @TempDir
  Path dir;

  @Test
  void threadsOfOneJvmExcludeEachOtherAndAnyThreadMayRelease() throws Exception {
    FileLock lock = FileLock.at(dir.resolve("a.lock"));
    FileLock.Guard g = lock.tryAcquire().orElseThrow();
    assertThat(FileLock.at(dir.resolve("a.lock")).tryAcquire()).isEmpty();
    assertThat(lock.acquire(Duration.ofMillis(50))).isEmpty();
    Thread.ofVirtual().start(g::close).join();
    try (FileLock.Guard again = lock.acquire(Duration.ofSeconds(1)).orElseThrow()) {
      assertThat(again.token()).isEqualTo(g.token() + 1);
    }
  }

  @Test
  void twoJvmsExcludeEachOtherAndTokensGrowAcrossThem() throws Exception {
    Path file = dir.resolve("b.lock");
    FileLock lock = FileLock.at(file);
    try (Children child = Children.start(dir.resolve("child.err"), "file-lock", file.toString())) {
      long childToken = Long.parseLong(child.expect("locked ", 60).substring(7));
      assertThat(lock.tryAcquire()).isEmpty();
      AtomicReference<Optional<FileLock.Guard>> waited = new AtomicReference<>();
      Thread waiter = Thread.ofVirtual().start(() -> {
        try {
          waited.set(lock.acquire(Duration.ofSeconds(30)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      child.send("release");
      child.expect("released", 30);
      waiter.join();
      try (FileLock.Guard mine = waited.get().orElseThrow()) {
        assertThat(mine.token()).isEqualTo(childToken + 1);
      }
    }
  }

  @Test
  void aHolderKilledWithSigkillLeavesTheLockFree() throws Exception {
    Path file = dir.resolve("c.lock");
    FileLock lock = FileLock.at(file);
    try (Children child = Children.start(dir.resolve("child.err"), "file-lock", file.toString())) {
      child.expect("locked ", 60);
      assertThat(lock.tryAcquire()).isEmpty();
      Children.signal(child.process.pid(), "KILL");
      Optional<FileLock.Guard> g = await().atMost(Duration.ofSeconds(10)).until(lock::tryAcquire, Optional::isPresent);
      g.orElseThrow().close();
    }
  }
}
