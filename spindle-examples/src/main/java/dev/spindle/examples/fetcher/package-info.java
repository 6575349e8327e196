/**
 * The texts' web-page fetcher spread over a partitioned group: each worker joins a group, fetches
 * only the URLs the group's hash ring gives it, and takes a fenced per-URL lock so that a URL is
 * fetched by one owner at a time even while the ring changes.
 */
@NullMarked
package dev.spindle.examples.fetcher;

import org.jspecify.annotations.NullMarked;
