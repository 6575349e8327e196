/** Producer/consumer over queues with poison pills, as in the texts. */
@NullMarked
package dev.spindle.examples.queues;

import org.jspecify.annotations.NullMarked;
