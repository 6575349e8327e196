package dev.spindle.thumbnails;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.spindle.thumbnails.internal.ImageCodec;
import dev.spindle.thumbnails.internal.PacedWriter;
import dev.spindle.thumbnails.internal.Throttle;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local HTTP server of generated sample photos ({@link SampleImages}), so demos and benchmarks
 * need no network: {@code GET /photos/photo-01.jpg} .. {@code photo-26.jpg}, with a configurable
 * latency before each answer and a bandwidth cap on each body (per request, as a far server over
 * a fast link behaves). {@code GET /urls.txt} lists the photo URLs; {@code GET /faults.txt} lists
 * the fault URLs when faults are on:
 *
 * <ul>
 *   <li>{@code /faults/missing.jpg}: 404;
 *   <li>{@code /faults/not-an-image.jpg}: an HTML page with status 200;
 *   <li>{@code /faults/truncated.jpg}: the first 55% of a photo;
 *   <li>{@code /faults/bomb.jpg}: a tiny JPEG whose header claims 30000 × 30000 pixels;
 *   <li>{@code /faults/flaky.jpg}: 503 for the first two requests, then a photo (retries win);
 *   <li>{@code /faults/reset.jpg}: closes the connection halfway through the body;
 *   <li>{@code /faults/slow.jpg}: answers only after {@link Builder#slowDelay} (clients time out).
 * </ul>
 *
 * <p>Binds to 127.0.0.1 by default. Handlers run on virtual threads. Thread-safe;
 * {@link #close()} stops it.
 */
public final class SampleServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SampleServer.class);
  private static final String PHOTOS = "/photos/";

  private final HttpServer server;
  private final ExecutorService executor;
  private final Map<String, byte[]> photos;
  private final Map<String, byte[]> faultBodies = new LinkedHashMap<>();
  private final Duration latency;
  private final Throttle throttle;
  private final Duration slowDelay;
  private final boolean faults;
  private final LongSupplier ticker;
  private final Sleeper sleeper;
  private final AtomicInteger flakyCount = new AtomicInteger();
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong bytesServed = new AtomicLong();

  private SampleServer(Builder b, Map<String, byte[]> photos) throws IOException {
    this.photos = photos;
    this.latency = b.latency;
    this.throttle = new Throttle(b.bandwidth);
    this.slowDelay = b.slowDelay;
    this.faults = b.faults;
    this.ticker = b.ticker;
    this.sleeper = b.sleeper;
    if (faults) {
      byte[] first = photos.values().iterator().next();
      faultBodies.put("truncated.jpg", java.util.Arrays.copyOf(first, (int) (first.length * 0.55)));
      faultBodies.put("bomb.jpg", bombJpeg(30_000, 30_000));
    }
    this.executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("sample-server-", 1).factory());
    this.server = HttpServer.create(new InetSocketAddress(b.bindAddress, b.port), 256);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** A builder with the defaults: 127.0.0.1, a free port, 26 photos, no latency, no bandwidth cap. */
  public static Builder builder() {
    return new Builder();
  }

  /** The server's base URI, e.g. {@code http://127.0.0.1:41234/}. */
  public URI baseUri() {
    InetSocketAddress a = server.getAddress();
    String host = a.getAddress().getHostAddress();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return URI.create("http://" + host + ":" + a.getPort() + "/");
  }

  /** The photo URLs, in order. */
  public List<String> imageUrls() {
    List<String> out = new ArrayList<>();
    for (String name : photos.keySet()) {
      out.add(baseUri().resolve(PHOTOS + name).toString());
    }
    return out;
  }

  /** The fault URLs (empty unless faults are on). */
  public List<String> faultUrls() {
    if (!faults) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (String f : List.of("missing.jpg", "not-an-image.jpg", "truncated.jpg", "bomb.jpg", "flaky.jpg", "reset.jpg", "slow.jpg")) {
      out.add(baseUri().resolve("/faults/" + f).toString());
    }
    return out;
  }

  /** Total size of the photos in bytes. */
  public long photoBytes() {
    return photos.values().stream().mapToLong(b -> b.length).sum();
  }

  /** Requests answered so far. */
  public long requestCount() {
    return requests.get();
  }

  /** Body bytes sent so far. */
  public long bytesServed() {
    return bytesServed.get();
  }

  private void handle(HttpExchange ex) throws IOException {
    requests.incrementAndGet();
    try (ex) {
      String path = ex.getRequestURI().getPath();
      if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
        text(ex, 405, "only GET and HEAD\n");
        return;
      }
      if (path.equals("/") || path.equals("/index.txt")) {
        text(ex, 200, "spindle sample photos\n/urls.txt lists " + photos.size() + " photos"
            + (faults ? "\n/faults.txt lists fault URLs" : "") + "\n");
      } else if (path.equals("/urls.txt")) {
        text(ex, 200, String.join("\n", imageUrls()) + "\n");
      } else if (path.equals("/faults.txt") && faults) {
        text(ex, 200, String.join("\n", faultUrls()) + "\n");
      } else if (path.startsWith(PHOTOS) && photos.containsKey(path.substring(PHOTOS.length()))) {
        waitLatency();
        body(ex, "image/jpeg", Objects.requireNonNull(photos.get(path.substring(PHOTOS.length()))), -1);
      } else if (path.startsWith("/faults/") && faults) {
        fault(ex, path.substring("/faults/".length()));
      } else {
        text(ex, 404, "no such sample: " + path + "\n");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      LOG.debug("sample request {} ended early: {}", ex.getRequestURI(), e.toString());
    }
  }

  private void fault(HttpExchange ex, String name) throws IOException, InterruptedException {
    waitLatency();
    switch (name) {
      case "missing.jpg" -> text(ex, 404, "not found\n");
      case "not-an-image.jpg" -> {
        byte[] html = "<!DOCTYPE html><html><body>Sign in to view this photo</body></html>\n".getBytes(StandardCharsets.UTF_8);
        body(ex, "text/html; charset=utf-8", html, -1);
      }
      case "truncated.jpg", "bomb.jpg" -> body(ex, "image/jpeg", Objects.requireNonNull(faultBodies.get(name), name), -1);
      case "flaky.jpg" -> {
        if (flakyCount.getAndIncrement() < 2) {
          ex.getResponseHeaders().set("Retry-After", "0");
          text(ex, 503, "busy, try again\n");
        } else {
          body(ex, "image/jpeg", photos.values().iterator().next(), -1);
        }
      }
      case "reset.jpg" -> {
        byte[] photo = photos.values().iterator().next();
        body(ex, "image/jpeg", photo, photo.length / 2);
      }
      case "slow.jpg" -> {
        sleeper.sleepNanos(slowDelay.toNanos());
        body(ex, "image/jpeg", photos.values().iterator().next(), -1);
      }
      default -> text(ex, 404, "no such fault: " + name + "\n");
    }
  }

  private void waitLatency() throws InterruptedException {
    if (!latency.isZero()) {
      sleeper.sleepNanos(latency.toNanos());
    }
  }

  /** Sends {@code data} paced; if {@code cutAt >= 0}, stops there and breaks the connection. */
  private void body(HttpExchange ex, String type, byte[] data, int cutAt) throws IOException, InterruptedException {
    ex.getResponseHeaders().set("Content-Type", type);
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    if ("HEAD".equals(ex.getRequestMethod())) {
      ex.getResponseHeaders().set("Content-Length", Long.toString(data.length));
      ex.sendResponseHeaders(200, -1);
      return;
    }
    ex.sendResponseHeaders(200, data.length);
    OutputStream out = ex.getResponseBody();
    int len = cutAt >= 0 ? cutAt : data.length;
    new PacedWriter(throttle, ticker, sleeper).write(out, data, 0, len);
    bytesServed.addAndGet(len);
    if (cutAt >= 0) {
      out.flush();
      // Closing a fixed-length body early makes the server drop the connection mid-body.
      throw new IOException("connection broken on purpose after " + cutAt + " of " + data.length + " bytes");
    }
  }

  private static void text(HttpExchange ex, int status, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    ex.sendResponseHeaders(status, "HEAD".equals(ex.getRequestMethod()) ? -1 : b.length);
    if (!"HEAD".equals(ex.getRequestMethod())) {
      ex.getResponseBody().write(b);
    }
  }

  /** A tiny valid JPEG whose frame header claims {@code w × h} pixels. */
  static byte[] bombJpeg(int w, int h) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try {
      ImageCodec.write(new dev.spindle.thumbnails.internal.Pixels(16, 16, 3, -1, new byte[16 * 16 * 3]), "jpeg", 0.5f, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    byte[] b = out.toByteArray();
    for (int i = 2; i + 8 < b.length; i++) {
      if ((b[i] & 0xff) == 0xFF && ((b[i + 1] & 0xff) == 0xC0 || (b[i + 1] & 0xff) == 0xC2)) {
        b[i + 5] = (byte) (h >> 8);
        b[i + 6] = (byte) h;
        b[i + 7] = (byte) (w >> 8);
        b[i + 8] = (byte) w;
        return b;
      }
    }
    throw new IllegalStateException("no SOF marker in the encoded JPEG");
  }

  /** How the server waits (latency, pacing); tests pass a fake that advances a fake ticker. */
  @FunctionalInterface
  public interface Sleeper {
    /** Waits {@code nanos} nanoseconds. */
    void sleepNanos(long nanos) throws InterruptedException;

    /** Sleeps on the current thread. */
    Sleeper REAL = nanos -> {
      if (nanos > 0) {
        Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
      }
    };
  }

  /** Stops the server at once, aborting requests in progress. Idempotent. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  /** Validates settings as they are given. Not thread-safe. */
  public static final class Builder {
    private InetAddress bindAddress = InetAddress.getLoopbackAddress();
    private int port;
    private Duration latency = Duration.ZERO;
    private long bandwidth;
    private int count = SampleImages.COUNT;
    private int width = SampleImages.WIDTH;
    private int height = SampleImages.HEIGHT;
    private Path cacheDir = SampleImages.defaultCacheDir();
    private boolean faults;
    private Duration slowDelay = Duration.ofSeconds(120);
    private LongSupplier ticker = System::nanoTime;
    private Sleeper sleeper = Sleeper.REAL;

    private Builder() {}

    /** The address to bind (default 127.0.0.1; anything else exposes the server beyond this machine). */
    public Builder bindAddress(InetAddress address) {
      this.bindAddress = Objects.requireNonNull(address, "bindAddress");
      return this;
    }

    /**
     * The port; 0 picks a free one.
     *
     * @throws IllegalArgumentException if not 0..65535
     */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0..65535: " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * Delay before each photo or fault answer (simulated network latency).
     *
     * @throws IllegalArgumentException if negative or over 10 minutes
     */
    public Builder latency(Duration latency) {
      Objects.requireNonNull(latency, "latency");
      if (latency.isNegative() || latency.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new IllegalArgumentException("latency must be 0..10 min: " + latency);
      }
      this.latency = latency;
      return this;
    }

    /**
     * Bandwidth of each response body in bytes per second; 0 = unlimited.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder bandwidth(long bytesPerSecond) {
      this.bandwidth = new Throttle(bytesPerSecond).bytesPerSecond();
      return this;
    }

    /**
     * How many photos, 1..999 (default 26).
     *
     * @throws IllegalArgumentException if out of range
     */
    public Builder count(int count) {
      if (count < 1 || count > 999) {
        throw new IllegalArgumentException("count must be 1..999: " + count);
      }
      this.count = count;
      return this;
    }

    /**
     * Photo size (default 3264 × 1836).
     *
     * @throws IllegalArgumentException if a side is not 8..20000
     */
    public Builder size(int width, int height) {
      if (width < 8 || height < 8 || width > 20_000 || height > 20_000) {
        throw new IllegalArgumentException("size must be 8..20000 per side: " + width + "x" + height);
      }
      this.width = width;
      this.height = height;
      return this;
    }

    /** Where generated photos are cached (default {@link SampleImages#defaultCacheDir()}). */
    public Builder cacheDir(Path dir) {
      this.cacheDir = Objects.requireNonNull(dir, "cacheDir");
      return this;
    }

    /** Serve the fault URLs too. */
    public Builder faults(boolean faults) {
      this.faults = faults;
      return this;
    }

    /**
     * How long {@code /faults/slow.jpg} waits before answering (default 120 s).
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder slowDelay(Duration d) {
      Objects.requireNonNull(d, "slowDelay");
      if (d.isNegative()) {
        throw new IllegalArgumentException("slowDelay must not be negative: " + d);
      }
      this.slowDelay = d;
      return this;
    }

    /** The nanosecond ticker for pacing (tests inject a fake). */
    public Builder ticker(LongSupplier ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /** How the server waits (tests inject a fake that advances the fake ticker). */
    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
      return this;
    }

    /**
     * Generates or loads the photos and starts serving.
     *
     * @throws UncheckedIOException if the cache cannot be used or the port cannot be bound
     */
    public SampleServer start() {
      List<Path> files = SampleImages.ensure(cacheDir, count, width, height);
      Map<String, byte[]> photos = new LinkedHashMap<>();
      try {
        for (Path f : files) {
          photos.put(f.getFileName().toString(), Files.readAllBytes(f));
        }
        return new SampleServer(this, photos);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start the sample server on " + bindAddress.getHostAddress() + ":" + port, e);
      }
    }
  }
}
