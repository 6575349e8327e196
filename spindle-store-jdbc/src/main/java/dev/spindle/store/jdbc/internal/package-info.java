/**
 * The SQL job store engine: job rows and their moves, claims, dependencies, flow control,
 * schedules, worker leases, retention, inspection and statistics, written once against {@link
 * dev.spindle.store.jdbc.JdbcDialect}. Not API: used by the SQL dialect modules only.
 */
@NullMarked
package dev.spindle.store.jdbc.internal;

import org.jspecify.annotations.NullMarked;
