/**
 * JMH microbenchmarks of the hot paths: local submit, the SQLite and Redis store
 * exchange (complete + claim), enqueue, and the JSON codec. Run them with {@code bin/jmh}; the
 * results and the exact command are in the README. Not API.
 */
@NullMarked
package dev.spindle.bench.jmh;

import org.jspecify.annotations.NullMarked;
