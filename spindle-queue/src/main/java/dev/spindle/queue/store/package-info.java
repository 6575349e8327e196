/**
 * Implementation shared by the stores (in memory, the SQL engine, Redis): helpers every backend
 * uses the same way. Not extension points (those are in {@link dev.spindle.queue.spi}); public only
 * because the stores live in other modules. May change without notice.
 */
@NullMarked
package dev.spindle.queue.store;

import org.jspecify.annotations.NullMarked;
