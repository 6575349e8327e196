/** Test fixtures that start real {@code redis-server} processes (standalone and Cluster) on free loopback ports. */
package dev.spindle.testkit.redis;
