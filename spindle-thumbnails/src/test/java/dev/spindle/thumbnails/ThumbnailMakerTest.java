package dev.spindle.thumbnails;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** End to end against the real sample server on loopback, with small photos to stay fast. */
class ThumbnailMakerTest {
  static final int PHOTOS = 8;
  @TempDir static Path cache;
  static SampleServer server;

  @TempDir Path home;

  @BeforeAll
  static void startServer() {
    server = SampleServer.builder().count(PHOTOS).size(480, 270).cacheDir(cache).start();
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  static ThumbnailConfig.Builder config(Path home) {
    return ThumbnailMaker.builder().homeDir(home).downloadTimeout(Duration.ofSeconds(20))
        .retryPolicy(new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(5), 2, 0))
        .resizePool(ResizePool.threads(2));
  }

  static List<String> files(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private void assertEveryImageDoneOnce(ThumbnailReport r) throws IOException {
    assertThat(r.requested()).isEqualTo(PHOTOS);
    assertThat(r.failures()).isEmpty();
    assertThat(r.images()).extracting(ImageResult::index).containsExactlyElementsOf(
        java.util.stream.IntStream.range(0, PHOTOS).boxed().toList());
    assertThat(r.bytesDownloaded()).isEqualTo(server.photoBytes());
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < PHOTOS; i++) {
      String stem = SampleImages.fileName(i).replace(".jpg", "");
      for (int w : List.of(200, 64, 32)) {
        expected.add(stem + "_" + w + ".jpg");
      }
    }
    assertThat(files(home.resolve("outgoing"))).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(files(home.resolve("incoming"))).hasSize(PHOTOS).noneMatch(n -> n.endsWith(".part"));
    long onDisk = 0;
    for (String f : expected) {
      onDisk += Files.size(home.resolve("outgoing").resolve(f));
    }
    assertThat(r.thumbnailBytes()).isEqualTo(onDisk);
    assertThat(r.thumbnailCount()).isEqualTo(3 * PHOTOS);
  }

  @ParameterizedTest
  @EnumSource(value = Variant.class, names = {"SEQUENTIAL", "THREAD_PER_URL", "DOWNLOAD_THREADS", "PIPELINE_QUEUE", "PIPELINE", "ASYNC", "ASYNCIO"})
  void everyInJvmVariantDeliversEachImageExactlyOnce(Variant variant) throws Exception {
    Map<Integer, AtomicInteger> resizedEvents = new ConcurrentHashMap<>();
    ThumbnailListener counting = new ThumbnailListener() {
      @Override
      public void resized(ImageResult result) {
        resizedEvents.computeIfAbsent(result.index(), k -> new AtomicInteger()).incrementAndGet();
      }
    };
    try (ThumbnailMaker maker = config(home).variant(variant).listener(counting).create()) {
      ThumbnailReport r = maker.makeThumbnails(server.imageUrls());
      assertEveryImageDoneOnce(r);
      assertThat(resizedEvents).hasSize(PHOTOS).allSatisfy((k, v) -> assertThat(v.get()).isEqualTo(1));
      assertThat(r.variant()).isEqualTo(variant);
      assertThat(r.downloadTime()).isPositive();
      assertThat(r.resizeTime()).isPositive();
    }
  }

  @Test
  void asyncioDownloadsAsCoroutinesOfOneLoopAndOffloadsEachResize() throws Exception {
    List<Boolean> downloadedInCoroutine = java.util.Collections.synchronizedList(new ArrayList<>());
    ThumbnailListener where = new ThumbnailListener() {
      @Override
      public void downloaded(ImageResult partial, long bytes) {
        downloadedInCoroutine.add(dev.spindle.coroutine.EventLoop.inCoroutine());
      }
    };
    try (ThumbnailMaker maker = config(home).variant(Variant.ASYNCIO).downloadConcurrency(2).listener(where).create()) {
      ThumbnailReport r = maker.makeThumbnails(server.imageUrls());
      assertEveryImageDoneOnce(r);
      assertThat(downloadedInCoroutine).hasSize(PHOTOS).containsOnly(true);
      assertThat(r.images()).extracting(ImageResult::resizeWorker).allMatch(w -> w != null && w.startsWith("resize-offload-"));
    }
    // on child JVMs: run_in_executor hands each image to the process pool
    try (ThumbnailMaker maker = config(home.resolve("p")).variant(Variant.ASYNCIO).resizePool(ResizePool.processes(1)).create()) {
      ThumbnailReport r = maker.makeThumbnails(server.imageUrls());
      assertThat(r.failures()).isEmpty();
      assertThat(r.succeeded()).isEqualTo(PHOTOS);
      assertThat(r.resizePool()).contains("child JVM");
      assertThat(r.images()).extracting(ImageResult::resizeWorker).allMatch(w -> w != null && !w.startsWith("resize-"));
    }
  }

  @ParameterizedTest
  @EnumSource(value = Variant.class, names = {"PROCESS_POOL", "THREADS_AND_PROCESSES"})
  void processVariantsDeliverEachImageOnceAndCountBytesAcrossProcesses(Variant variant) throws Exception {
    try (ThumbnailMaker maker = config(home).variant(variant).resizePool(ResizePool.processes(2)).create()) {
      ThumbnailReport r = maker.makeThumbnails(server.imageUrls());
      assertEveryImageDoneOnce(r);
      assertThat(r.resizePool()).contains("child JVM");
      assertThat(r.sharedCounterBytes()).isEqualTo(r.thumbnailBytes());
      assertThat(r.images()).extracting(ImageResult::resizeWorker).allMatch(w -> w != null && !w.startsWith("resize-"));
    }
  }

  @Test
  void pipelineOnTheDurableQueueDeliversEachImageOnce() throws Exception {
    ResizePool pool = ResizePool.queue(home.resolve("jobs.db"), 2);
    try (ThumbnailMaker maker = config(home).resizePool(pool).create()) {
      ThumbnailReport r = maker.makeThumbnails(server.imageUrls());
      assertEveryImageDoneOnce(r);
      assertThat(r.resizePool()).contains("durable queue");
    }
  }

  @Test
  void aWorkerOutsideTheMakerDoesTheWorkOfTheDurableQueue() throws Exception {
    // No local workers: a separate queue worker on the same SQLite file (as `spindle worker` on
    // another machine would be) consumes the thumbnails queue.
    Path db = home.resolve("shared-jobs.db");
    try (dev.spindle.queue.spi.JobStore store = dev.spindle.queue.JobStores.open("sqlite:" + db);
         dev.spindle.queue.Worker worker = dev.spindle.queue.Worker.builder(store)
             .registry(dev.spindle.TaskRegistry.of(ThumbnailTasks.class)).queues("thumbnails").concurrency(2)
             .name("outside-worker").pollInterval(Duration.ofMillis(100)).start();
         ThumbnailMaker maker = config(home).resizePool(ResizePool.queue(db, 0)).create()) {
      ThumbnailReport r = maker.makeThumbnails(server.imageUrls());
      assertEveryImageDoneOnce(r);
      assertThat(r.images()).extracting(ImageResult::resizeWorker).allMatch(w -> w.contains("outside-worker"));
    }
  }

  @Test
  void manyConsumersOnManyImagesStillGiveExactlyOneResultEach() throws Exception {
    List<String> urls = new ArrayList<>();
    for (int round = 0; round < 5; round++) {
      urls.addAll(server.imageUrls()); // the same photo five times: five distinct files
    }
    try (ThumbnailMaker maker = config(home).resizePool(ResizePool.threads(7)).downloadConcurrency(0)
        .queueCapacity(2).create()) {
      ThumbnailReport r = maker.makeThumbnails(urls);
      assertThat(r.failures()).isEmpty();
      assertThat(r.images()).hasSize(5 * PHOTOS);
      Set<String> names = r.images().stream().map(ImageResult::fileName).collect(Collectors.toSet());
      assertThat(names).hasSize(5 * PHOTOS);
      assertThat(files(home.resolve("outgoing"))).hasSize(3 * 5 * PHOTOS);
      assertThat(r.images()).extracting(ImageResult::resizeWorker).allMatch(w -> w.startsWith("resize-"));
    }
  }

  @Test
  void badInputsGetTheirReasonWhileTheOthersFinishAndNoPartialFileIsLeft() throws Exception {
    int closedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    try (SampleServer faulty = SampleServer.builder().count(2).size(480, 270).cacheDir(cache).faults(true)
        .slowDelay(Duration.ofSeconds(60)).start()) {
      List<String> urls = new ArrayList<>(faulty.imageUrls());
      urls.addAll(faulty.faultUrls());
      urls.add("ftp://example.invalid/x.jpg");
      urls.add("http://127.0.0.1:" + closedPort + "/refused.jpg");
      try (ThumbnailMaker maker = config(home).downloadTimeout(Duration.ofMillis(400))
          .retryPolicy(new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(5), 2, 0)).create()) {
        ThumbnailReport r = maker.makeThumbnails(urls);
        Map<String, FailureReason> reasons = new HashMap<>();
        for (ImageResult i : r.images()) {
          reasons.put(i.url().substring(i.url().lastIndexOf('/') + 1), i.failureReason());
        }
        assertThat(reasons).containsEntry("photo-01.jpg", null).containsEntry("photo-02.jpg", null)
            .containsEntry("flaky.jpg", null)
            .containsEntry("missing.jpg", FailureReason.NOT_FOUND)
            .containsEntry("not-an-image.jpg", FailureReason.NOT_AN_IMAGE)
            .containsEntry("truncated.jpg", FailureReason.TRUNCATED)
            .containsEntry("bomb.jpg", FailureReason.TOO_MANY_PIXELS)
            .containsEntry("reset.jpg", FailureReason.CONNECTION_RESET)
            .containsEntry("slow.jpg", FailureReason.TIMEOUT)
            .containsEntry("x.jpg", FailureReason.INVALID_URL)
            .containsEntry("refused.jpg", FailureReason.CONNECTION_FAILED);
        ImageResult flaky = r.images().stream().filter(i -> i.url().endsWith("flaky.jpg")).findFirst().orElseThrow();
        assertThat(flaky.downloadAttempts()).isEqualTo(3);
        ImageResult reset = r.images().stream().filter(i -> i.url().endsWith("reset.jpg")).findFirst().orElseThrow();
        assertThat(reset.failureMessage()).contains("after 3 attempts");
        assertThat(r.succeeded()).isEqualTo(3);
        // Nothing partial anywhere: failed downloads left no file, failed resizes no thumbnail.
        assertThat(files(home.resolve("incoming"))).noneMatch(n -> n.endsWith(".part"))
            .doesNotContain("missing.jpg", "not-an-image.jpg", "reset.jpg", "slow.jpg");
        assertThat(files(home.resolve("outgoing"))).noneMatch(n -> n.endsWith(".part"))
            .noneMatch(n -> n.startsWith("truncated") || n.startsWith("bomb"))
            .hasSize(9);
      }
    }
  }

  @Test
  void standaloneStagesDownloadThenResizeWhatIsInTheIncomingFolder() throws Exception {
    try (ThumbnailMaker maker = config(home).create()) {
      ThumbnailReport d = maker.downloadImages(server.imageUrls());
      assertThat(d.succeeded()).isEqualTo(PHOTOS);
      assertThat(d.thumbnailCount()).isZero();
      assertThat(files(home.resolve("outgoing"))).isEmpty();
      ThumbnailReport r = maker.performResizing();
      assertThat(r.succeeded()).isEqualTo(PHOTOS);
      assertThat(files(home.resolve("outgoing"))).hasSize(3 * PHOTOS);
    }
  }

  @Test
  void resizingAloneKeepsLocalFileNamesAsTheyAre() throws Exception {
    Files.createDirectories(home.resolve("incoming"));
    TestImages.jpeg(home.resolve("incoming").resolve("my holiday (1).jpg"), 640, 360);
    Files.writeString(home.resolve("incoming").resolve(".notes.part"), "a temporary file, skipped");
    try (ThumbnailMaker maker = config(home).create()) {
      ThumbnailReport r = maker.performResizing();
      assertThat(r.requested()).isEqualTo(1);
      assertThat(r.failures()).isEmpty();
      assertThat(files(home.resolve("outgoing"))).containsExactlyInAnyOrder(
          "my holiday (1)_200.jpg", "my holiday (1)_64.jpg", "my holiday (1)_32.jpg");
    }
  }

  @Test
  void resizingWithNothingDownloadedSaysSo() {
    try (ThumbnailMaker maker = config(home).create()) {
      assertThatThrownBy(maker::performResizing).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("nothing to resize");
      assertThatThrownBy(() -> maker.makeThumbnails(List.of())).hasMessageContaining("empty");
    }
  }

  @Test
  void deleteDownloadsRemovesEachSourceOnceResized() throws Exception {
    try (ThumbnailMaker maker = config(home).deleteDownloads(true).create()) {
      assertThat(maker.makeThumbnails(server.imageUrls()).succeeded()).isEqualTo(PHOTOS);
      assertThat(files(home.resolve("incoming"))).isEmpty();
    }
  }
}
