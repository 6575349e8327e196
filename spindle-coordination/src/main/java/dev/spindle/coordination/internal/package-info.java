/** The coordination backends: memory, SQLite and Redis (Lua scripts in {@code lua/}). Not API. */
@NullMarked
package dev.spindle.coordination.internal;

import org.jspecify.annotations.NullMarked;
