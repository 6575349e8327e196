/** Contract test suites every execution backend subclasses, and shared test fixtures. */
package dev.spindle.testkit;
