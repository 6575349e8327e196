/**
 * The {@code ./spindle} subcommands that run the texts' programs ({@code spinner}, {@code primes},
 * {@code primes sweep}, ...). The programs themselves live in {@code spindle-examples}; these classes
 * only parse options and print.
 */
@NullMarked
package dev.spindle.cli.examples;

import org.jspecify.annotations.NullMarked;
