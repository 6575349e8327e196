/** Queue workers run as a supervised service. */
package dev.spindle.supervisor.queue;
