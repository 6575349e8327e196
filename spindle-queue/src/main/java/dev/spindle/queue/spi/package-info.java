/**
 * For store authors: the hot-path {@link dev.spindle.queue.spi.JobStore}, the operators' {@link
 * dev.spindle.queue.spi.StoreAdmin} and its roles, the {@link dev.spindle.queue.spi.StoreBackend} a
 * provider opens, and the records they exchange. Checked by {@code
 * dev.spindle.testkit.store.JobStoreContract} and {@code dev.spindle.testkit.store.StoreAdminContract}.
 */
@NullMarked
package dev.spindle.queue.spi;

import org.jspecify.annotations.NullMarked;
