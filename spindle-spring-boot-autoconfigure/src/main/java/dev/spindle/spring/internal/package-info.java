/** Implementation of the Spring integration; not API. */
@NullMarked
package dev.spindle.spring.internal;

import org.jspecify.annotations.NullMarked;
