package dev.spindle.thumbnails;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleServerTest {
  @TempDir Path cache;

  @Test
  void servesTheListedPhotosOnLoopbackWithLatencyAndPacingFromTheInjectedClock() throws Exception {
    AtomicLong now = new AtomicLong();
    List<Long> sleeps = new CopyOnWriteArrayList<>();
    long bandwidth = 50_000; // bytes per second
    try (SampleServer server = SampleServer.builder().count(3).size(320, 180).cacheDir(cache)
        .latency(Duration.ofSeconds(1)).bandwidth(bandwidth).ticker(now::get)
        .sleeper(nanos -> {
          sleeps.add(nanos);
          now.addAndGet(nanos);
        }).start();
         HttpClient client = HttpClient.newHttpClient()) {
      assertThat(server.baseUri().getHost()).isEqualTo("127.0.0.1");
      String list = client.send(HttpRequest.newBuilder(server.baseUri().resolve("/urls.txt")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      assertThat(list.lines().toList()).isEqualTo(server.imageUrls()).hasSize(3);
      assertThat(sleeps).as("listing is not delayed").isEmpty();

      HttpResponse<byte[]> photo = client.send(HttpRequest.newBuilder(URI.create(server.imageUrls().get(0))).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      assertThat(photo.statusCode()).isEqualTo(200);
      assertThat(photo.headers().firstValue("Content-Type")).contains("image/jpeg");
      byte[] body = photo.body();
      assertThat(body).isEqualTo(Files.readAllBytes(cache.resolve("v1-320x180").resolve("photo-01.jpg")));
      assertThat(sleeps.get(0)).as("latency first").isEqualTo(1_000_000_000L);
      long paced = sleeps.stream().skip(1).mapToLong(Long::longValue).sum();
      long chunk = Math.max(1024, Math.min(64 * 1024, bandwidth / 50));
      long lastChunk = body.length - (body.length - 1) / chunk * chunk;
      assertThat(paced).as("body paced to the bandwidth").isEqualTo((long) ((body.length - lastChunk) * 1e9 / bandwidth));
      assertThat(server.requestCount()).isEqualTo(2);
      assertThat(server.bytesServed()).isEqualTo(body.length);
    }
  }

  @Test
  void unknownPathsAre404AndFaultsAreOffByDefault() throws Exception {
    try (SampleServer server = SampleServer.builder().count(1).size(64, 36).cacheDir(cache).start();
         HttpClient client = HttpClient.newHttpClient()) {
      for (String path : List.of("/nope.jpg", "/faults/missing.jpg", "/photos/photo-02.jpg")) {
        assertThat(client.send(HttpRequest.newBuilder(server.baseUri().resolve(path)).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode()).as(path).isEqualTo(404);
      }
      assertThat(server.faultUrls()).isEmpty();
    }
  }

  @Test
  void cachedSamplesAreReusedAndDeterministic() throws Exception {
    List<Path> a = SampleImages.ensure(cache, 2, 200, 100);
    byte[] first = Files.readAllBytes(a.get(1));
    Files.setLastModifiedTime(a.get(1), java.nio.file.attribute.FileTime.fromMillis(0));
    List<Path> b = SampleImages.ensure(cache, 2, 200, 100);
    assertThat(Files.getLastModifiedTime(b.get(1)).toMillis()).as("not regenerated").isZero();
    assertThat(SampleImages.renderJpeg(1, 200, 100)).isEqualTo(first);
  }

  @Test
  void aPhoneSizedSampleWeighsTwoToFourMegabytes() {
    byte[] jpeg = SampleImages.renderJpeg(0, SampleImages.WIDTH, SampleImages.HEIGHT);
    assertThat(jpeg.length).isBetween(2_000_000, 4_000_000);
  }
}
