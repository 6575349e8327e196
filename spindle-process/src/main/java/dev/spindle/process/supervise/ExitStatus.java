package dev.spindle.process.supervise;

/**
 * How a child process ended, as a shell reports it: the exit code, or {@code 128 + N} when it was
 * killed by signal {@code N} (the JDK's {@link Process#exitValue()} convention on Unix).
 * Immutable.
 *
 * @param code the exit status, 0–255
 */
public record ExitStatus(int code) {
  /** True if the process exited with status 0. */
  public boolean isSuccess() {
    return code == 0;
  }

  /** True if a signal ended the process ({@code code > 128}). */
  public boolean isSignal() {
    return code > 128 && code < 128 + 65;
  }

  /** The signal number, or 0 if the process exited normally. */
  public int signal() {
    return isSignal() ? code - 128 : 0;
  }

  /** E.g. {@code "exit status 137 (killed by signal 9, SIGKILL)"}. */
  @Override
  public String toString() {
    return "exit status " + code + (isSignal() ? " (killed by signal " + signal() + signalName() + ")" : "");
  }

  private String signalName() {
    return switch (signal()) {
      case 1 -> ", SIGHUP";
      case 2 -> ", SIGINT";
      case 6 -> ", SIGABRT";
      case 9 -> ", SIGKILL";
      case 11 -> ", SIGSEGV";
      case 15 -> ", SIGTERM";
      default -> "";
    };
  }
}
