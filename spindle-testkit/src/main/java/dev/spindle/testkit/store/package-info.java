/** The store contract suite every {@code JobStore} subclasses, and its helpers. */
package dev.spindle.testkit.store;
