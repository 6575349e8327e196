/** Test fixtures that start real {@code redis-server} processes (standalone and Cluster) on free loopback ports. */
@NullMarked
package dev.spindle.testkit.redis;

import org.jspecify.annotations.NullMarked;
