/** Implementation of the SQLite store: schema, statements, row mapping. Not API. */
package dev.spindle.store.sqlite.internal;
