package dev.spindle.thumbnails;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Resizing must start as soon as the first image has arrived, while downloads go on. The server
 * holds back the last image until some image has been resized: a run that waited for all
 * downloads before resizing would wait for the gate, and the gate would open on its timeout
 * instead of on a resize.
 */
class PipelineOverlapTest {
  @TempDir Path home;

  @ParameterizedTest
  @EnumSource(value = Variant.class, names = {"PIPELINE", "PIPELINE_QUEUE", "ASYNC"})
  void resizingStartsWhileDownloadsGoOn(Variant variant) throws Exception {
    byte[] jpeg = TestImages.encode(TestImages.gradient(640, 360), "jpeg");
    CountDownLatch firstResize = new CountDownLatch(1);
    boolean[] gateOpenedByResize = {false};
    HttpServer server = HttpServer.create(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 50);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/", ex -> {
      try (ex) {
        if (ex.getRequestURI().getPath().equals("/gate.jpg")) {
          gateOpenedByResize[0] = firstResize.await(30, TimeUnit.SECONDS);
        }
        ex.sendResponseHeaders(200, jpeg.length);
        ex.getResponseBody().write(jpeg);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    server.start();
    try {
      String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/";
      List<String> urls = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        urls.add(base + "img-" + i + ".jpg");
      }
      urls.add(base + "gate.jpg");
      ThumbnailListener listener = new ThumbnailListener() {
        @Override
        public void resized(ImageResult result) {
          firstResize.countDown();
        }
      };
      try (ThumbnailMaker maker = ThumbnailMaker.builder().homeDir(home).variant(variant)
          .resizePool(ResizePool.threads(2)).downloadTimeout(Duration.ofSeconds(60)).listener(listener).create()) {
        ThumbnailReport r = maker.makeThumbnails(urls);
        assertThat(r.failures()).isEmpty();
        assertThat(gateOpenedByResize[0]).as("an image was resized while the last download was still pending").isTrue();
      }
    } finally {
      server.stop(0);
    }
  }
}
