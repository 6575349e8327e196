package dev.spindle.process.supervise;

/** A child for supervisor tests: {@code exit N} exits at once with N; {@code run} runs until killed. */
public final class SupervisedChild {
  private SupervisedChild() {}

  public static void main(String[] args) throws InterruptedException {
    ParentWatchdog.startFromEnvironment();
    ParentWatchdog.watchStdin(System.in);
    if (args[0].equals("exit")) {
      System.exit(Integer.parseInt(args[1]));
    }
    Thread.currentThread().join();
  }
}
