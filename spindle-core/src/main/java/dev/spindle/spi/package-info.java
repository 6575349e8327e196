/** For execution-backend authors: the future every backend completes, ordered {@code map} support and the JSON codec. Narrow and stable. */
@NullMarked
package dev.spindle.spi;

import org.jspecify.annotations.NullMarked;
