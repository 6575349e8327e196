/** A test fixture that starts a real PostgreSQL server (Debian's binaries, initdb in a temp dir) on a free loopback port. */
package dev.spindle.testkit.postgres;
