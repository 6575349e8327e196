package dev.spindle.thumbnails;

import java.util.Locale;

/**
 * The course's refactorings of ThumbnailMakerService, each selectable so they can be run and
 * compared side by side ({@code spindle thumbnails --variant NAME}). {@link #PIPELINE} is the
 * production default. Each constant records what the course reported for it, measured against
 * its sequential baseline (downloads 27 s, resizing 3 s for 26 phone photos).
 */
public enum Variant {
  /** Baseline: one thread downloads each URL in turn, then resizes each image in turn. */
  SEQUENTIAL("sequential", "baseline: download one by one, then resize one by one",
      Metric.TOTAL, 1.0, "download 27 s, resize 3 s"),
  /** V1/V2: a platform thread per URL, all joined, bytes counted under a lock; then resize on one thread. */
  THREAD_PER_URL("thread-per-url", "V1/V2: one thread per URL (26 threads), byte counter under a lock; resize after",
      Metric.DOWNLOAD, 27.0 / 6.5, "download 6.5 s vs 27 s, almost 4x"),
  /** V3/V5: a fixed set of download threads (default 4) pulling from a URL queue; then resize on one thread. */
  DOWNLOAD_THREADS("download-threads", "V3/V5: 4 download threads (the semaphore's cap) pulling from a URL queue; resize after",
      Metric.DOWNLOAD, 4.0, "roughly a quarter of the time"),
  /** V4/V5: download threads put each file in a queue that one resize thread drains until the poison pill. */
  PIPELINE_QUEUE("pipeline-queue", "V4/V5: download threads -> queue -> one resize thread; pill after all downloads",
      Metric.TOTAL, Double.NaN, "a small gain from the overlap"),
  /**
   * Production: downloads on virtual threads (bounded, default 4) feed a queue drained by the
   * chosen resize pool (threads by default), one end marker per consumer.
   */
  PIPELINE("pipeline", "Spindle default: virtual-thread downloads -> queue -> resize pool of your choice",
      Metric.TOTAL, Double.NaN, "(not in the course)"),
  /** V6: download with threads to completion, then map the resize task over a process pool. */
  PROCESS_POOL("process-pool", "V6: threads download everything, then pool.map(resize) on child JVMs",
      Metric.RESIZE, 3.19 / 1.5, "resize 1.5 s vs 3.19 s (2x); total 9.5 s"),
  /** V7/V8: download threads feed a joinable queue drained by one worker per core in child JVMs. */
  THREADS_AND_PROCESSES("threads-processes", "V7/V8: download threads -> joinable queue -> a child JVM worker per core, shared byte counter",
      Metric.TOTAL, 5.0, "almost 5x overall"),
  /** V9: one thread drives every download asynchronously (HttpClient.sendAsync), resize pool started first. */
  ASYNC("async", "V9: one thread drives all downloads with sendAsync; resize pool started before downloading",
      Metric.DOWNLOAD, 2.0, "2x faster than synchronous downloads"),
  /**
   * V9 on the COROUTINE model: a download coroutine per URL on one event loop
   * ({@code dev.spindle.coroutine}), at most the download concurrency at once (1 = the course's
   * one-after-another loop), each awaiting its resize offloaded to an executor that feeds the resize
   * pool (started before downloading).
   */
  ASYNCIO("asyncio", "V9 as asyncio: download coroutines on one event loop, resize offloaded with run_in_executor",
      Metric.DOWNLOAD, 2.0, "2x faster than synchronous downloads");

  /** Which time the course's ratio compares. */
  public enum Metric { DOWNLOAD, RESIZE, TOTAL }

  private final String cliName;
  private final String description;
  private final Metric courseMetric;
  private final double courseSpeedup;
  private final String courseResult;

  Variant(String cliName, String description, Metric courseMetric, double courseSpeedup, String courseResult) {
    this.cliName = cliName;
    this.description = description;
    this.courseMetric = courseMetric;
    this.courseSpeedup = courseSpeedup;
    this.courseResult = courseResult;
  }

  /** The name used on the command line, e.g. {@code thread-per-url}. */
  public String cliName() {
    return cliName;
  }

  /** One line on what the variant does. */
  public String description() {
    return description;
  }

  /** The time the course's speed-up refers to. */
  public Metric courseMetric() {
    return courseMetric;
  }

  /** The course's speed-up over its sequential baseline, or NaN if it gave no number. */
  public double courseSpeedup() {
    return courseSpeedup;
  }

  /** The course's result in words. */
  public String courseResult() {
    return courseResult;
  }

  /** True if the variant resizes in child JVMs whatever pool is configured. */
  public boolean requiresProcesses() {
    return this == PROCESS_POOL || this == THREADS_AND_PROCESSES;
  }

  /** True if the variant uses the configured resize pool (the others resize on one thread). */
  public boolean usesResizePool() {
    return this == PIPELINE || this == ASYNC || this == ASYNCIO || requiresProcesses();
  }

  /**
   * The variant with the given CLI name or constant name (case-insensitive).
   *
   * @throws IllegalArgumentException listing the valid names
   */
  public static Variant fromName(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
    for (Variant v : values()) {
      if (v.cliName.equals(n) || v.name().equalsIgnoreCase(name.trim())) {
        return v;
      }
    }
    StringBuilder names = new StringBuilder();
    for (Variant v : values()) {
      names.append(names.isEmpty() ? "" : ", ").append(v.cliName);
    }
    throw new IllegalArgumentException("unknown variant '" + name + "'; choose one of: " + names);
  }
}
