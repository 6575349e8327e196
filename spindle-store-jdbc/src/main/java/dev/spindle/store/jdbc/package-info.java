/**
 * The SQL job store engine's extension point: a database plugs in as a {@link
 * dev.spindle.store.jdbc.JdbcDialect} (the SQL that differs, its errors, how it takes writes), its
 * module adding the schema, the clock and the change feed. The engine itself is internal.
 */
@NullMarked
package dev.spindle.store.jdbc;

import org.jspecify.annotations.NullMarked;
