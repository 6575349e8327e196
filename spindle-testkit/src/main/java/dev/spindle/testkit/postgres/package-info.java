/** A test fixture that starts a real PostgreSQL server (Debian's binaries, initdb in a temp dir) on a free loopback port. */
@NullMarked
package dev.spindle.testkit.postgres;

import org.jspecify.annotations.NullMarked;
