/** The PostgreSQL store ({@code postgres://} and {@code postgresql://} locations) on pgjdbc and HikariCP. */
package dev.spindle.store.postgres;
