/** Implementation of the PostgreSQL store: schema, statements, row mapping, clock, change feed. Not API. */
package dev.spindle.store.postgres.internal;
