package dev.spindle.supervisor.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads a process's memory from {@code /proc/<pid>/status} (Linux). Stateless and thread-safe. */
final class ProcStatus {
  private ProcStatus() {}

  /** The resident set size ({@code VmRSS}) in bytes, or -1 if unknown (no /proc, process gone). */
  public static long residentBytes(long pid) {
    return field(pid, "VmRSS:");
  }

  private static long field(long pid, String name) {
    Path p = Path.of("/proc", Long.toString(pid), "status");
    try {
      for (String line : Files.readAllLines(p, StandardCharsets.ISO_8859_1)) {
        if (line.startsWith(name)) {
          String[] parts = line.substring(name.length()).trim().split("\\s+");
          long v = Long.parseLong(parts[0]);
          return parts.length > 1 && parts[1].equalsIgnoreCase("kB") ? v * 1024 : v;
        }
      }
      return -1;
    } catch (NoSuchFileException e) {
      return -1;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
