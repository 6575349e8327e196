/** The texts' prime checker: sequential, threads, virtual threads and processes, with the worker-count sweep. */
@NullMarked
package dev.spindle.examples.primes;

import org.jspecify.annotations.NullMarked;
