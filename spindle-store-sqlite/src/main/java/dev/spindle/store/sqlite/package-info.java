/** The embedded SQLite store (the default {@code sqlite:} location): one file in WAL mode shared by every process of one host. */
@NullMarked
package dev.spindle.store.sqlite;

import org.jspecify.annotations.NullMarked;
