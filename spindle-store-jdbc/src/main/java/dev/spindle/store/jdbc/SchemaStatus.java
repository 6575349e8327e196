package dev.spindle.store.jdbc;

import java.util.List;

/**
 * The schema version found at a server store's location and the statements that opening a store
 * there would run ({@code spindle migrate --print}), read without changing anything. Immutable.
 *
 * @param describe the location without secrets
 * @param found the version found (0: no schema yet)
 * @param current the version this code writes
 * @param pending the migration statements from {@code found} to {@code current}, in order, each
 *     version's led by a comment line {@code -- version N} (empty when current, or when the schema is
 *     newer: opening then refuses it)
 */
public record SchemaStatus(String describe, int found, int current, List<String> pending) {
  /** Copies the statements. */
  public SchemaStatus {
    pending = List.copyOf(pending);
  }
}
