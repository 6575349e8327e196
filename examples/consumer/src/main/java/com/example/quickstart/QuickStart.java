package com.example.quickstart;

import dev.spindle.Task;
import dev.spindle.TaskCatalog;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobStores;
import dev.spindle.queue.Worker;
import dev.spindle.queue.spi.JobStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;

/** Spindle's durable queue in one file: a task, an embedded SQLite store, a job, a worker. */
public class QuickStart implements TaskCatalog {
  public static final Task<String, String> GREET =
      Task.of("greet", String.class, String.class, name -> "Hello, " + name + "!");

  @Override
  public Collection<Task<?, ?>> tasks() {
    return List.of(GREET);
  }

  /** Enqueues one job in a store under {@code dir}, runs it on a worker and returns its result. */
  public static String run(Path dir) {
    try (JobStore store = JobStores.open("sqlite:" + dir.resolve("jobs.db"));
        JobQueue queue = JobQueue.builder(store).registry(TaskRegistry.of(QuickStart.class)).build();
        Worker worker = queue.worker().start()) {
      return queue.enqueue(GREET, "world").result(Duration.ofSeconds(30));
    }
  }

  public static void main(String[] args) throws Exception {
    System.out.println(run(Files.createTempDirectory("spindle-quickstart")));
  }
}
