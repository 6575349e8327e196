/**
 * The Spindle web dashboard and REST API ({@code /api/v1}) over a durable queue's store: start one
 * with {@link dev.spindle.web.Dashboard#builder}. Credentials: {@link dev.spindle.web.Credentials}.
 */
@NullMarked
package dev.spindle.web;

import org.jspecify.annotations.NullMarked;
