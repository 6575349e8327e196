package dev.spindle.testkit;

import dev.spindle.ExecutionModel;

/** The executor contract on VIRTUAL with two long-lived virtual workers. */
class VirtualWorkersContractTest extends ExecutorContract {
  @Override
  protected ExecutionModel model() {
    return ExecutionModel.VIRTUAL;
  }
}
