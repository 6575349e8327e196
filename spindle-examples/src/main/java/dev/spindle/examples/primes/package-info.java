/** The texts' prime checker: sequential, threads, virtual threads and processes, with the worker-count sweep. */
package dev.spindle.examples.primes;
