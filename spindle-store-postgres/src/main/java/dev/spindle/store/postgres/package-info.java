/** The PostgreSQL store ({@code postgres://} and {@code postgresql://} locations) on pgjdbc and HikariCP. */
@NullMarked
package dev.spindle.store.postgres;

import org.jspecify.annotations.NullMarked;
