/**
 * The texts' smallest programs, each as a method that returns what it printed: a Thread subclass
 * computing a Fibonacci number, threading-start, append_two, load_url and generate_hash.
 */
@NullMarked
package dev.spindle.examples.basics;

import org.jspecify.annotations.NullMarked;
