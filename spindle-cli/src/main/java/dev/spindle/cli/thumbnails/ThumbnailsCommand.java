package dev.spindle.cli.thumbnails;

import dev.spindle.cli.ProgressBar;
import dev.spindle.thumbnails.ResizePool;
import dev.spindle.thumbnails.RetryPolicy;
import dev.spindle.thumbnails.SampleServer;
import dev.spindle.thumbnails.ThumbnailConfig;
import dev.spindle.thumbnails.ThumbnailMaker;
import dev.spindle.thumbnails.ThumbnailReport;
import dev.spindle.thumbnails.Variant;
import dev.spindle.thumbnails.VariantComparison;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./spindle thumbnails}: the course's ThumbnailMakerService. Downloads images and writes
 * 200/64/32-pixel thumbnails with any of the course's variants, serves generated sample photos
 * for offline demos, and compares every variant in one table.
 */
@Command(name = "thumbnails", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Downloads images into <home>/incoming and writes thumbnails <stem>_<width>.<ext> into <home>/outgoing, "
            + "downloads on virtual threads overlapping resizing on a CPU pool (the course's ThumbnailMakerService).",
        "",
        "Exit status: 0 all images done, 1 some failed (each listed with its reason), 2 bad arguments.",
        "",
        "Examples:",
        "  ./spindle thumbnails --samples                      run on 26 generated phone photos, no network",
        "  ./spindle thumbnails --samples --latency 1s --variant sequential",
        "  ./spindle thumbnails --samples --faults             show how bad input is reported",
        "  ./spindle thumbnails --samples --latency 1s --compare   every variant, one table",
        "  ./spindle thumbnails --serve-samples --port 8765    serve the photos (Ctrl-C stops)",
        "  ./spindle thumbnails --urls-file urls.txt --pool processes -w 2",
        ""})
public final class ThumbnailsCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "URL", arity = "0..*", description = "image URLs to process")
  List<String> urls = new ArrayList<>();

  @Option(names = "--urls-file", paramLabel = "FILE", description = "read URLs from FILE, one per line (# comments)")
  @Nullable Path urlsFile;

  @Option(names = "--home", paramLabel = "DIR", defaultValue = "thumbnails",
      description = "home folder with incoming/ and outgoing/ (default: ${DEFAULT-VALUE})")
  Path home;

  @Option(names = "--variant", paramLabel = "NAME", defaultValue = "pipeline",
      description = "sequential, thread-per-url, download-threads, pipeline-queue, pipeline, process-pool, "
          + "threads-processes, async or asyncio (default: ${DEFAULT-VALUE}); --list-variants explains them")
  String variant;

  @Option(names = "--list-variants", description = "list the variants with the course's results and exit")
  boolean listVariants;

  @Option(names = "--compare", description = "run every variant (or those of --variants) and print a comparison table")
  boolean compare;

  @Option(names = "--variants", paramLabel = "LIST", split = ",",
      description = "with --compare: the variants to run (default: all)")
  @Nullable List<String> compareVariants;

  @Option(names = "--pool", paramLabel = "KIND", defaultValue = "threads",
      description = "where resizing runs: threads, processes or queue (default: ${DEFAULT-VALUE})")
  String pool;

  @Option(names = {"-w", "--workers"}, paramLabel = "N",
      description = "resize threads, child JVMs or local queue workers (default: the number of cores)")
  @Nullable Integer workers;

  @Option(names = "--store", paramLabel = "LOCATION",
      description = "with --pool queue: the job store (default: sqlite:<home>/jobs.db)")
  @Nullable String store;

  @Option(names = "--download-concurrency", paramLabel = "N", defaultValue = "4",
      description = "downloads at once, 0 = unbounded (default: ${DEFAULT-VALUE}, the course's semaphore)")
  int downloadConcurrency;

  @Option(names = "--widths", paramLabel = "W,W,...", defaultValue = "200,64,32",
      description = "thumbnail widths in pixels (default: ${DEFAULT-VALUE})")
  String widths;

  @Option(names = "--timeout", paramLabel = "DURATION",
      description = "per download attempt, headers and body (default: 60s; 3s with --samples --faults, whose"
          + " slow URL never answers in time)")
  @Nullable String timeout;

  @Option(names = "--retries", paramLabel = "N", defaultValue = "2",
      description = "retries of transient download failures (default: ${DEFAULT-VALUE})")
  int retries;

  @Option(names = "--max-pixels", paramLabel = "N", defaultValue = "89478485",
      description = "refuse images with more pixels, checked before decoding (default: ${DEFAULT-VALUE})")
  long maxPixels;

  @Option(names = "--delete-downloads", description = "delete each download once its thumbnails are written")
  boolean deleteDownloads;

  @Option(names = "--samples", description = "run on generated sample photos served from this process")
  boolean samples;

  @Option(names = "--serve-samples", description = "only serve the sample photos over HTTP until stopped (Ctrl-C)")
  boolean serveSamples;

  @Option(names = "--faults", description = "the sample server also serves fault URLs (404, timeout, reset, "
      + "truncated JPEG, decompression bomb, not an image, flaky 503); --samples includes them in the run")
  boolean faults;

  @Option(names = "--count", paramLabel = "N", defaultValue = "26",
      description = "sample photos (default: ${DEFAULT-VALUE})")
  int count;

  @Option(names = "--sample-size", paramLabel = "WxH", defaultValue = "3264x1836",
      description = "sample photo size (default: ${DEFAULT-VALUE}, a phone photo)")
  String sampleSize;

  @Option(names = "--sample-cache", paramLabel = "DIR",
      description = "where generated samples are cached (default: ~/.cache/spindle/thumbnail-samples)")
  @Nullable Path sampleCache;

  @Option(names = "--latency", paramLabel = "DURATION", defaultValue = "0",
      description = "sample server: delay before each answer, e.g. 1s (default: none)")
  String latency;

  @Option(names = "--bandwidth", paramLabel = "RATE", defaultValue = "0",
      description = "sample server: bytes per second of each response, e.g. 8MiB/s (default: unlimited)")
  String bandwidth;

  @Option(names = "--port", paramLabel = "N",
      description = "sample server port (default: 8765 with --serve-samples, a free one with --samples)")
  @Nullable Integer port;

  @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
      description = "sample server address (default: ${DEFAULT-VALUE}; others expose it to the network)")
  String bind;

  @Option(names = "--log-file", paramLabel = "FILE",
      description = "write the log (thread name, time, level, message) to FILE instead of the terminal")
  @Nullable Path logFile;

  @Option(names = {"-v", "--verbose"}, description = "log every image on the terminal even with a progress bar")
  boolean verbose;

  @Option(names = "--no-progress", description = "no progress bar")
  boolean noProgress;

  @Override
  public Integer call() throws Exception {
    CommandLine cl = spec.commandLine();
    PrintStream out = System.out;
    if (listVariants) {
      for (Variant v : Variant.values()) {
        out.printf(Locale.ROOT, "%-18s %s%n%-18s course: %s%n", v.cliName(), v.description(), "", v.courseResult());
      }
      return 0;
    }
    boolean progress = !noProgress && !serveSamples && !compare;
    configureLogging(progress && ProgressBar.hasTerminal() && !verbose);
    SampleServer server = null;
    try {
      if (samples || serveSamples) {
        server = startServer(cl);
      }
      if (serveSamples) {
        return serve(Objects.requireNonNull(server, "started for --serve-samples"), out);
      }
      List<String> list = collectUrls(cl, server);
      ThumbnailConfig config = buildConfig(cl);
      if (compare) {
        return compare(cl, config, list, out);
      }
      return runOnce(config, list, progress, out);
    } finally {
      if (server != null) {
        server.close();
      }
    }
  }

  private int runOnce(ThumbnailConfig config, List<String> list, boolean progress, PrintStream out) {
    ThumbnailReport report;
    try (ThumbnailProgress bar = progress ? new ThumbnailProgress("thumbnails", list.size()) : null) {
      ThumbnailConfig c = bar == null ? config : config.toBuilder().listener(bar).build();
      try (ThumbnailMaker maker = ThumbnailMaker.create(c)) {
        report = maker.makeThumbnails(list);
      }
    }
    out.print(report.summary());
    out.println("thumbnails in " + config.outgoingDir());
    return report.failures().isEmpty() ? 0 : 1;
  }

  private int compare(CommandLine cl, ThumbnailConfig config, List<String> list, PrintStream out) {
    List<Variant> vs = new ArrayList<>();
    if (compareVariants == null || compareVariants.isEmpty()) {
      vs.addAll(Arrays.asList(Variant.values()));
    } else {
      for (String n : compareVariants) {
        vs.add(parse(cl, () -> Variant.fromName(n)));
      }
    }
    if (!vs.contains(Variant.SEQUENTIAL)) {
      vs.add(0, Variant.SEQUENTIAL); // the baseline of every ratio
    }
    List<VariantComparison.Row> rows = VariantComparison.run(config, list, vs,
        name -> System.err.println("thumbnails: running " + name + " ..."));
    out.print(VariantComparison.table(rows));
    out.println(loadNote());
    return rows.stream().allMatch(r -> r.report().failures().isEmpty()) ? 0 : 1;
  }

  /**
   * The machine's load beside the ratios: a parallel variant can only beat one thread by the cores
   * the others leave free (on Linux, whole sessions share the CPU equally under autogroup).
   */
  static String loadNote() {
    int cores = Runtime.getRuntime().availableProcessors();
    String load;
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      load = f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      double l = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
      load = l < 0 ? "unknown" : String.format(Locale.ROOT, "%.2f", l);
    }
    return "load average " + load + " on " + cores + " cores at the end of the comparison; speed-ups of parallel "
        + "variants need idle cores: compare again on an idle machine";
  }

  private int serve(SampleServer server, PrintStream out) throws InterruptedException {
    out.println("serving " + count + " sample photos at " + server.baseUri() + " (list: " + server.baseUri().resolve("/urls.txt")
        + (faults ? ", faults: " + server.baseUri().resolve("/faults.txt") : "") + "); Ctrl-C stops");
    out.flush();
    CountDownLatch stop = new CountDownLatch(1);
    SampleServer s = server;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      s.close();
      stop.countDown();
    }, "sample-server-stop"));
    stop.await();
    return 0;
  }

  private SampleServer startServer(CommandLine cl) {
    SampleServer.Builder b = SampleServer.builder().faults(faults);
    parse(cl, () -> b.count(count));
    parse(cl, () -> b.latency(CliValues.duration(latency, "--latency")));
    parse(cl, () -> b.bandwidth(CliValues.rate(bandwidth, "--bandwidth")));
    parse(cl, () -> b.port(port != null ? port : serveSamples ? 8765 : 0));
    parse(cl, () -> {
      String[] wh = sampleSize.toLowerCase(Locale.ROOT).split("x");
      if (wh.length != 2) {
        throw new IllegalArgumentException("--sample-size: '" + sampleSize + "' is not WIDTHxHEIGHT");
      }
      try {
        return b.size(Integer.parseInt(wh[0].trim()), Integer.parseInt(wh[1].trim()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--sample-size: '" + sampleSize + "' is not WIDTHxHEIGHT");
      }
    });
    if (sampleCache != null) {
      b.cacheDir(sampleCache);
    }
    try {
      b.bindAddress(InetAddress.getByName(bind));
    } catch (UnknownHostException e) {
      throw new CommandLine.ParameterException(cl, "--bind: unknown address '" + bind + "'");
    }
    System.err.println("thumbnails: preparing " + count + " sample photos (generated once, cached in "
        + (sampleCache != null ? sampleCache : dev.spindle.thumbnails.SampleImages.defaultCacheDir()) + ")");
    return b.start();
  }

  private List<String> collectUrls(CommandLine cl, @Nullable SampleServer server) throws IOException {
    List<String> list = new ArrayList<>(urls);
    if (urlsFile != null) {
      if (!Files.isRegularFile(urlsFile)) {
        throw new CommandLine.ParameterException(cl, "--urls-file: no such file: " + urlsFile);
      }
      for (String line : Files.readAllLines(urlsFile)) {
        String t = line.strip();
        if (!t.isEmpty() && !t.startsWith("#")) {
          list.add(t);
        }
      }
    }
    if (server != null) {
      list.addAll(server.imageUrls());
      list.addAll(server.faultUrls());
    }
    if (list.isEmpty()) {
      throw new CommandLine.ParameterException(cl, "no URLs: give some, --urls-file FILE, or --samples");
    }
    return list;
  }

  private ThumbnailConfig buildConfig(CommandLine cl) {
    ThumbnailConfig.Builder b = ThumbnailMaker.builder().homeDir(home);
    parse(cl, () -> b.variant(Variant.fromName(variant)));
    parse(cl, () -> b.widths(CliValues.widths(widths)));
    parse(cl, () -> b.downloadConcurrency(downloadConcurrency));
    // the fault demo's slow URL answers after minutes: with the 60 s default its 3 attempts took 3 minutes
    String perAttempt = timeout != null ? timeout : samples && faults ? "3s" : "60s";
    parse(cl, () -> b.downloadTimeout(CliValues.duration(perAttempt, "--timeout")));
    parse(cl, () -> b.retryPolicy(new RetryPolicy(retries + 1, Duration.ofMillis(250), Duration.ofSeconds(5), 2.0, 0.2)));
    parse(cl, () -> b.maxPixels(maxPixels));
    b.deleteDownloads(deleteDownloads);
    int n = workers != null ? workers : Runtime.getRuntime().availableProcessors();
    parse(cl, () -> b.resizePool(switch (pool.trim().toLowerCase(Locale.ROOT)) {
      case "threads" -> ResizePool.threads(n);
      case "processes" -> ResizePool.processes(n);
      case "queue" -> ResizePool.queue(store != null ? store : "sqlite:" + home.toAbsolutePath().resolve("jobs.db"),
          workers != null ? workers : n);
      default -> throw new IllegalArgumentException("--pool: '" + pool + "'; choose threads, processes or queue");
    }));
    return parse(cl, b::build);
  }

  private static <T> T parse(CommandLine cl, java.util.function.Supplier<T> s) {
    try {
      return s.get();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cl, e.getMessage());
    }
  }

  /**
   * Configures slf4j-simple before the first logger exists: the course's log format (thread name,
   * time, level, message), to a file if asked, and quieter under a live progress bar.
   */
  private void configureLogging(boolean quietTerminal) {
    setIfAbsent("org.slf4j.simpleLogger.showDateTime", "true");
    setIfAbsent("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
    setIfAbsent("org.slf4j.simpleLogger.showThreadName", "true");
    setIfAbsent("org.slf4j.simpleLogger.showShortLogName", "true");
    if (logFile != null) {
      System.setProperty("org.slf4j.simpleLogger.logFile", logFile.toAbsolutePath().toString());
    } else if (quietTerminal) {
      setIfAbsent("org.slf4j.simpleLogger.log.dev.spindle.thumbnails", "warn");
    }
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
