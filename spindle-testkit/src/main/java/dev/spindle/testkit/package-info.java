/** Contract test suites every execution backend subclasses, and shared test fixtures. */
@NullMarked
package dev.spindle.testkit;

import org.jspecify.annotations.NullMarked;
