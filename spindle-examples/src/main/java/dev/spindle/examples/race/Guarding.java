package dev.spindle.examples.race;

/** How a {@link BankAccountRace} transaction updates the shared balance. */
public enum Guarding {
  /** {@code balance = balance + amount}: read, add, store; concurrent updates get lost. */
  NONE("no guard (read, add, store)"),
  /** The same read, add, store inside a shared lock: correct, and slower under contention. */
  LOCK("shared lock around it"),
  /** One atomic add instruction: correct and fast. */
  ATOMIC("atomic add");

  private final String description;

  Guarding(String description) {
    this.description = description;
  }

  /** A short description for reports. */
  public String description() {
    return description;
  }
}
