package dev.spindle.testkit;

import dev.spindle.ExecutionModel;

/** The executor contract on SEQUENTIAL. */
class SequentialContractTest extends ExecutorContract {
  @Override
  protected ExecutionModel model() {
    return ExecutionModel.SEQUENTIAL;
  }
}
