package com.example.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuickStartTest {
  @Test
  void theJobRunsOnTheWorkerAndItsResultComesBack(@TempDir Path dir) {
    assertEquals("Hello, world!", QuickStart.run(dir));
    assertTrue(Files.exists(dir.resolve("jobs.db")), "the job was stored in the SQLite file");
  }
}
