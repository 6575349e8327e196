package dev.spindle.coordination;

import java.time.Instant;

/**
 * A current holder of a lock or semaphore permit, as the store sees it.
 *
 * @param holderId the lease's holder id ({@link Lease#holderId()})
 * @param token the fencing token of its acquisition
 * @param expiresAt when the lease expires on the store's clock unless renewed
 */
public record Holder(String holderId, long token, Instant expiresAt) {}
