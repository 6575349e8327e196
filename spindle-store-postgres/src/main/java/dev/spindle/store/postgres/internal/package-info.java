/** Implementation of the PostgreSQL store: schema, statements, row mapping, clock, change feed. Not API. */
@NullMarked
package dev.spindle.store.postgres.internal;

import org.jspecify.annotations.NullMarked;
