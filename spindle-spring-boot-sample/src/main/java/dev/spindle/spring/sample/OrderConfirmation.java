package dev.spindle.spring.sample;

/**
 * The input of the {@code orders.confirm} task (JSON).
 *
 * @param orderId the order
 * @param item what was ordered
 */
public record OrderConfirmation(long orderId, String item) {}
