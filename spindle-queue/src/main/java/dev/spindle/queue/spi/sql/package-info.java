/**
 * For SQL store authors: the parts the SQLite and PostgreSQL stores share (inspector, queue
 * control, worker leases, schedules, retention, statistics, job dependencies and filters, the
 * per-queue claim), written once against {@link dev.spindle.queue.spi.sql.SqlDb} and {@link
 * dev.spindle.queue.spi.sql.SqlConn},
 * with the SQL that differs between databases behind {@link dev.spindle.queue.spi.sql.SqlDialect}.
 */
@NullMarked
package dev.spindle.queue.spi.sql;

import org.jspecify.annotations.NullMarked;
