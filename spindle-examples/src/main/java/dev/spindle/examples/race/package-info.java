/** The texts' BankAccount race: an unsynchronised counter and its fixes. */
@NullMarked
package dev.spindle.examples.race;

import org.jspecify.annotations.NullMarked;
