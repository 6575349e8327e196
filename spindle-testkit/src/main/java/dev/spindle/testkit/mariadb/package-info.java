/** A test fixture that starts a real MariaDB server (Debian's binaries, a data directory in a temp dir) on a free loopback port. */
@NullMarked
package dev.spindle.testkit.mariadb;

import org.jspecify.annotations.NullMarked;
