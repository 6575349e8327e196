/** Benchmark harnesses: each a {@code main} measuring one figure of the README side by side with its baseline. Not API. */
@NullMarked
package dev.spindle.bench;

import org.jspecify.annotations.NullMarked;
