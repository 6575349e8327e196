/**
 * For backend authors: {@link dev.spindle.coordination.spi.CoordinationBackend}, the few atomic
 * operations on the store's clock that every coordination feature is built from.
 */
@NullMarked
package dev.spindle.coordination.spi;

import org.jspecify.annotations.NullMarked;
