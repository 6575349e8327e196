package dev.spindle.process.supervise;

/**
 * A child for supervisor tests: {@code exit N} exits at once with N; {@code run} runs until killed;
 * {@code sigign} prints the {@code SigIgn} line of {@code /proc/self/status} (the signals it
 * ignores, a hex mask) and exits.
 */
public final class SupervisedChild {
  private SupervisedChild() {}

  public static void main(String[] args) throws Exception {
    if (args[0].equals("sigign")) {
      java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status")).stream()
          .filter(l -> l.startsWith("SigIgn:")).forEach(System.out::println);
      return;
    }
    ParentWatchdog.startFromEnvironment();
    ParentWatchdog.watchStdin(System.in);
    if (args[0].equals("exit")) {
      System.exit(Integer.parseInt(args[1]));
    }
    Thread.currentThread().join();
  }
}
