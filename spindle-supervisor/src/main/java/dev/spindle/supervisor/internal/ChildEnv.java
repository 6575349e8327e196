package dev.spindle.supervisor.internal;

/** Environment variables a master gives each service child. */
final class ChildEnv {
  /** The master's control socket. */
  public static final String SOCKET = "SPINDLE_SUPERVISOR_SOCKET";
  /** The child's one-time token, presented in its hello. */
  public static final String TOKEN = "SPINDLE_SUPERVISOR_TOKEN";
  /** The service's name. */
  public static final String SERVICE = "SPINDLE_SERVICE_NAME";
  /** The service class. */
  public static final String SERVICE_CLASS = "SPINDLE_SERVICE_CLASS";
  /** The worker id. */
  public static final String WORKER_ID = "SPINDLE_WORKER_ID";

  private ChildEnv() {}
}
