/**
 * MariaDB (10.6 or later) for the SQL job store engine: the InnoDB schema, the server's clock and
 * what the driver's errors mean. {@link dev.spindle.store.mariadb.MariaDbSchema} is public for
 * applications that apply schemas themselves; the rest is package-private.
 */
@NullMarked
package dev.spindle.store.mariadb;

import org.jspecify.annotations.NullMarked;
