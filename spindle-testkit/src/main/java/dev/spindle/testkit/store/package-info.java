/** The store contract suite every {@code JobStore} subclasses, and its helpers. */
@NullMarked
package dev.spindle.testkit.store;

import org.jspecify.annotations.NullMarked;
