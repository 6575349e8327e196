package dev.spindle.coordination;

/**
 * The content of a {@link FencedRegister}.
 *
 * @param value the last accepted value
 * @param token the highest fencing token that wrote it
 */
public record RegisterValue(String value, long token) {}
