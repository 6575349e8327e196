/**
 * Spring Boot auto-configuration of Spindle: {@link dev.spindle.spring.boot.SpindleProperties}
 * ({@code spindle.*}), {@link dev.spindle.spring.boot.SpindleAutoConfiguration} and its optional
 * parts (health, dashboard).
 */
@NullMarked
package dev.spindle.spring.boot;

import org.jspecify.annotations.NullMarked;
