/** For store authors: {@link dev.spindle.queue.spi.JobStore} and its provider, the job state machine and the records they exchange. Checked by {@code dev.spindle.testkit.store.JobStoreContract}. */
@NullMarked
package dev.spindle.queue.spi;

import org.jspecify.annotations.NullMarked;
