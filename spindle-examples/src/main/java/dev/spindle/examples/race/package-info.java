/** The texts' BankAccount race: an unsynchronised counter and its fixes. */
package dev.spindle.examples.race;
