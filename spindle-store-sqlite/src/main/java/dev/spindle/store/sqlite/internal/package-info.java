/** Implementation of the SQLite store: schema, statements, row mapping. Not API. */
@NullMarked
package dev.spindle.store.sqlite.internal;

import org.jspecify.annotations.NullMarked;
