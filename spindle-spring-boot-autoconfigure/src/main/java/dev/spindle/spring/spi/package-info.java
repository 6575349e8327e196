/**
 * For store authors: {@link dev.spindle.spring.spi.TransactionalEnqueue}, enqueue through the
 * application's JDBC transaction.
 */
@NullMarked
package dev.spindle.spring.spi;

import org.jspecify.annotations.NullMarked;
