package dev.spindle.thumbnails;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The immutable configuration of a {@link ThumbnailMaker}, made by a validating {@link Builder}
 * (each setter checks its value at once and says what is wrong).
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>setting</th><th>default</th></tr>
 *   <tr><td>{@link #homeDir()}</td><td>the current directory; downloads go to {@code incoming/}, thumbnails to {@code outgoing/}</td></tr>
 *   <tr><td>{@link #widths()}</td><td>200, 64, 32 pixels (height follows the aspect ratio)</td></tr>
 *   <tr><td>{@link #variant()}</td><td>{@link Variant#PIPELINE}</td></tr>
 *   <tr><td>{@link #downloadConcurrency()}</td><td>4 (the course's semaphore); 0 = unbounded</td></tr>
 *   <tr><td>{@link #resizePool()}</td><td>{@link ResizePool#threads()}: one thread per core</td></tr>
 *   <tr><td>{@link #connectTimeout()}</td><td>10 s</td></tr>
 *   <tr><td>{@link #downloadTimeout()}</td><td>60 s per attempt, headers and body</td></tr>
 *   <tr><td>{@link #retryPolicy()}</td><td>{@link RetryPolicy#defaults()}: 3 attempts</td></tr>
 *   <tr><td>{@link #maxDownloadBytes()}</td><td>100 MiB</td></tr>
 *   <tr><td>{@link #maxPixels()}</td><td>89,478,485 (Pillow's {@code MAX_IMAGE_PIXELS})</td></tr>
 *   <tr><td>{@link #jpegQuality()}</td><td>0.85</td></tr>
 *   <tr><td>{@link #reducingGap()}</td><td>3.0 (box pre-reduction keeps ≥ 3× the target; 0 = off)</td></tr>
 *   <tr><td>{@link #upscale()}</td><td>false: sources narrower than a target keep their size</td></tr>
 *   <tr><td>{@link #deleteDownloads()}</td><td>false (the course deleted each download once resized)</td></tr>
 *   <tr><td>{@link #queueCapacity()}</td><td>64 images waiting between the stages</td></tr>
 *   <tr><td>{@link #listener()}</td><td>{@link ThumbnailListener#NONE}</td></tr>
 *   <tr><td>{@link #httpClient()}</td><td>null: the maker builds and closes its own</td></tr>
 *   <tr><td>{@link #clock()}</td><td>{@link Clock#systemUTC()}, for stage timings</td></tr>
 * </table>
 */
public final class ThumbnailConfig {
  /** The largest target width accepted. */
  public static final int MAX_WIDTH = 10_000;
  /** Pillow's default pixel limit, 1024 × 1024 × 1024 / 4 / 3. */
  public static final long DEFAULT_MAX_PIXELS = 89_478_485L;

  private final Path homeDir;
  private final List<Integer> widths;
  private final Variant variant;
  private final int downloadConcurrency;
  private final ResizePool resizePool;
  private final Duration connectTimeout;
  private final Duration downloadTimeout;
  private final RetryPolicy retryPolicy;
  private final long maxDownloadBytes;
  private final long maxPixels;
  private final float jpegQuality;
  private final double reducingGap;
  private final boolean upscale;
  private final boolean deleteDownloads;
  private final int queueCapacity;
  private final ThumbnailListener listener;
  private final @Nullable HttpClient httpClient;
  private final Clock clock;
  private final String userAgent;

  private ThumbnailConfig(Builder b) {
    this.homeDir = b.homeDir.toAbsolutePath().normalize();
    this.widths = List.copyOf(b.widths);
    this.variant = b.variant;
    this.downloadConcurrency = b.downloadConcurrency;
    this.resizePool = b.resizePool != null ? b.resizePool : ResizePool.threads();
    this.connectTimeout = b.connectTimeout;
    this.downloadTimeout = b.downloadTimeout;
    this.retryPolicy = b.retryPolicy;
    this.maxDownloadBytes = b.maxDownloadBytes;
    this.maxPixels = b.maxPixels;
    this.jpegQuality = b.jpegQuality;
    this.reducingGap = b.reducingGap;
    this.upscale = b.upscale;
    this.deleteDownloads = b.deleteDownloads;
    this.queueCapacity = b.queueCapacity;
    this.listener = b.listener;
    this.httpClient = b.httpClient;
    this.clock = b.clock;
    this.userAgent = b.userAgent;
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** The home directory (absolute). */
  public Path homeDir() {
    return homeDir;
  }

  /** Where downloads are saved: {@code <home>/incoming}. */
  public Path incomingDir() {
    return homeDir.resolve("incoming");
  }

  /** Where thumbnails are written: {@code <home>/outgoing}. */
  public Path outgoingDir() {
    return homeDir.resolve("outgoing");
  }

  /** Target widths in pixels, in the order given. */
  public List<Integer> widths() {
    return widths;
  }

  /** The variant run by {@link ThumbnailMaker#makeThumbnails}. */
  public Variant variant() {
    return variant;
  }

  /** Downloads at once; 0 = unbounded (one virtual thread per URL). */
  public int downloadConcurrency() {
    return downloadConcurrency;
  }

  /** Where resizing runs. */
  public ResizePool resizePool() {
    return resizePool;
  }

  /** Time allowed to open a connection. */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** Time allowed for one attempt: connection, headers and the whole body. */
  public Duration downloadTimeout() {
    return downloadTimeout;
  }

  /** Retries of transient download failures. */
  public RetryPolicy retryPolicy() {
    return retryPolicy;
  }

  /** Largest accepted download in bytes. */
  public long maxDownloadBytes() {
    return maxDownloadBytes;
  }

  /** Largest accepted image in pixels (width × height), checked from the header before decoding. */
  public long maxPixels() {
    return maxPixels;
  }

  /** JPEG quality of thumbnails, 0..1. */
  public float jpegQuality() {
    return jpegQuality;
  }

  /** Box pre-reduction gap (Pillow's {@code reducing_gap}); 0 = pure Lanczos from full size. */
  public double reducingGap() {
    return reducingGap;
  }

  /** Whether sources narrower than a target are enlarged. */
  public boolean upscale() {
    return upscale;
  }

  /** Whether a download is deleted once its thumbnails are written. */
  public boolean deleteDownloads() {
    return deleteDownloads;
  }

  /** Images that may wait between the download and resize stages before downloads pause. */
  public int queueCapacity() {
    return queueCapacity;
  }

  /** Progress listener. */
  public ThumbnailListener listener() {
    return listener;
  }

  /** A caller-owned HTTP client, or null for one the maker builds. */
  public @Nullable HttpClient httpClient() {
    return httpClient;
  }

  /** Clock for stage timings. */
  public Clock clock() {
    return clock;
  }

  /** The User-Agent header sent. */
  public String userAgent() {
    return userAgent;
  }

  /** A builder holding this configuration. */
  public Builder toBuilder() {
    Builder b = new Builder().homeDir(homeDir).widths(widths).variant(variant)
        .downloadConcurrency(downloadConcurrency).resizePool(resizePool).connectTimeout(connectTimeout)
        .downloadTimeout(downloadTimeout).retryPolicy(retryPolicy).maxDownloadBytes(maxDownloadBytes)
        .maxPixels(maxPixels).jpegQuality(jpegQuality).reducingGap(reducingGap).upscale(upscale)
        .deleteDownloads(deleteDownloads).queueCapacity(queueCapacity).listener(listener).clock(clock)
        .userAgent(userAgent);
    b.httpClient = httpClient;
    return b;
  }

  @Override
  public String toString() {
    return "ThumbnailConfig{home=" + homeDir + ", widths=" + widths + ", variant=" + variant.cliName()
        + ", downloadConcurrency=" + (downloadConcurrency == 0 ? "unbounded" : downloadConcurrency)
        + ", resizePool=" + resizePool + ", downloadTimeout=" + downloadTimeout + ", retry=" + retryPolicy
        + ", maxPixels=" + maxPixels + ", reducingGap=" + reducingGap + "}";
  }

  /** Validates each setting as it is given. Not thread-safe. */
  public static final class Builder {
    private Path homeDir = Path.of(".");
    private List<Integer> widths = List.of(200, 64, 32);
    private Variant variant = Variant.PIPELINE;
    private int downloadConcurrency = 4;
    private @Nullable ResizePool resizePool;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration downloadTimeout = Duration.ofSeconds(60);
    private RetryPolicy retryPolicy = RetryPolicy.defaults();
    private long maxDownloadBytes = 100L << 20;
    private long maxPixels = DEFAULT_MAX_PIXELS;
    private float jpegQuality = 0.85f;
    private double reducingGap = 3.0;
    private boolean upscale;
    private boolean deleteDownloads;
    private int queueCapacity = 64;
    private ThumbnailListener listener = ThumbnailListener.NONE;
    private @Nullable HttpClient httpClient;
    private Clock clock = Clock.systemUTC();
    private String userAgent = "spindle-thumbnails/0.1";

    private Builder() {}

    /** Sets the home directory (created on first use, with its two folders). */
    public Builder homeDir(Path homeDir) {
      this.homeDir = Objects.requireNonNull(homeDir, "homeDir");
      return this;
    }

    /**
     * Sets the target widths.
     *
     * @throws IllegalArgumentException if empty, a width is not 1..10000, or one repeats
     */
    public Builder widths(List<Integer> widths) {
      Objects.requireNonNull(widths, "widths");
      if (widths.isEmpty()) {
        throw new IllegalArgumentException("at least one target width is needed");
      }
      List<Integer> copy = new ArrayList<>();
      for (Integer w : widths) {
        if (w == null || w < 1 || w > MAX_WIDTH) {
          throw new IllegalArgumentException("target width must be 1.." + MAX_WIDTH + ": " + w);
        }
        if (copy.contains(w)) {
          throw new IllegalArgumentException("target width " + w + " is given twice");
        }
        copy.add(w);
      }
      this.widths = copy;
      return this;
    }

    /** {@link #widths(List)} from varargs. */
    public Builder widths(int... widths) {
      List<Integer> l = new ArrayList<>();
      for (int w : widths) {
        l.add(w);
      }
      return widths(l);
    }

    /** Sets the variant. */
    public Builder variant(Variant variant) {
      this.variant = Objects.requireNonNull(variant, "variant");
      return this;
    }

    /**
     * Sets how many downloads may run at once; 0 means unbounded.
     *
     * @throws IllegalArgumentException if not 0..10000
     */
    public Builder downloadConcurrency(int n) {
      if (n < 0 || n > 10_000) {
        throw new IllegalArgumentException("downloadConcurrency must be 0 (unbounded) .. 10000: " + n);
      }
      this.downloadConcurrency = n;
      return this;
    }

    /** Sets where resizing runs. */
    public Builder resizePool(ResizePool pool) {
      this.resizePool = Objects.requireNonNull(pool, "resizePool");
      return this;
    }

    /**
     * Sets the connect timeout.
     *
     * @throws IllegalArgumentException unless positive
     */
    public Builder connectTimeout(Duration d) {
      this.connectTimeout = positive(d, "connectTimeout");
      return this;
    }

    /**
     * Sets the time allowed for one download attempt (headers and body).
     *
     * @throws IllegalArgumentException unless positive
     */
    public Builder downloadTimeout(Duration d) {
      this.downloadTimeout = positive(d, "downloadTimeout");
      return this;
    }

    /** Sets the retry policy for transient download failures. */
    public Builder retryPolicy(RetryPolicy policy) {
      this.retryPolicy = Objects.requireNonNull(policy, "retryPolicy");
      return this;
    }

    /**
     * Sets the largest accepted download.
     *
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxDownloadBytes(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxDownloadBytes must be >= 1: " + bytes);
      }
      this.maxDownloadBytes = bytes;
      return this;
    }

    /**
     * Sets the pixel limit (decompression-bomb guard).
     *
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxPixels(long pixels) {
      if (pixels < 1) {
        throw new IllegalArgumentException("maxPixels must be >= 1: " + pixels);
      }
      this.maxPixels = pixels;
      return this;
    }

    /**
     * Sets the JPEG quality.
     *
     * @throws IllegalArgumentException unless in (0, 1]
     */
    public Builder jpegQuality(float q) {
      if (!(q > 0f && q <= 1f)) {
        throw new IllegalArgumentException("jpegQuality must be in (0, 1]: " + q);
      }
      this.jpegQuality = q;
      return this;
    }

    /**
     * Sets the box pre-reduction gap: 0 turns it off, otherwise at least 1 (3 keeps results
     * indistinguishable from pure Lanczos in practice).
     *
     * @throws IllegalArgumentException if between 0 and 1, negative, or not finite
     */
    public Builder reducingGap(double gap) {
      if (!(gap == 0 || gap >= 1.0) || Double.isInfinite(gap)) {
        throw new IllegalArgumentException("reducingGap must be 0 (off) or a finite value >= 1: " + gap);
      }
      this.reducingGap = gap;
      return this;
    }

    /** Whether sources narrower than a target are enlarged. */
    public Builder upscale(boolean upscale) {
      this.upscale = upscale;
      return this;
    }

    /** Whether downloads are deleted once resized (the course's behaviour). */
    public Builder deleteDownloads(boolean delete) {
      this.deleteDownloads = delete;
      return this;
    }

    /**
     * Sets the capacity of the queue between the stages.
     *
     * @throws IllegalArgumentException if not 1..100000
     */
    public Builder queueCapacity(int n) {
      if (n < 1 || n > 100_000) {
        throw new IllegalArgumentException("queueCapacity must be 1..100000: " + n);
      }
      this.queueCapacity = n;
      return this;
    }

    /** Sets the progress listener. */
    public Builder listener(ThumbnailListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Uses a caller-owned HTTP client (not closed by the maker). Its timeouts and executor apply;
     * the {@link Variant#ASYNC} variant still builds its own single-threaded client.
     */
    public Builder httpClient(HttpClient client) {
      this.httpClient = Objects.requireNonNull(client, "httpClient");
      return this;
    }

    /** Sets the clock used for timings. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets the User-Agent header.
     *
     * @throws IllegalArgumentException if blank or not printable ASCII
     */
    public Builder userAgent(String ua) {
      Objects.requireNonNull(ua, "userAgent");
      if (ua.isBlank() || !ua.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
        throw new IllegalArgumentException("userAgent must be printable ASCII: '" + ua + "'");
      }
      this.userAgent = ua;
      return this;
    }

    private static Duration positive(Duration d, String what) {
      Objects.requireNonNull(d, what);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive: " + d);
      }
      return d;
    }

    /**
     * The immutable configuration.
     *
     * @throws IllegalArgumentException if the variant needs child JVMs and the pool is a queue or
     *     a caller's executor of another model
     */
    public ThumbnailConfig build() {
      ThumbnailConfig c = new ThumbnailConfig(this);
      if (c.variant.requiresProcesses() && c.resizePool.kind() == ResizePool.Kind.QUEUE) {
        throw new IllegalArgumentException("variant " + c.variant.cliName()
            + " resizes in child JVMs; a durable queue pool fits the pipeline or async variants");
      }
      return c;
    }

    /** Builds the configuration and a maker for it. */
    public ThumbnailMaker create() {
      return new ThumbnailMaker(build());
    }
  }
}
