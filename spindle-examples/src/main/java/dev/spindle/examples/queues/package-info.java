/** Producer/consumer over queues with poison pills, as in the texts. */
package dev.spindle.examples.queues;
