package dev.spindle.testkit;

import dev.spindle.ExecutionModel;

/** The executor contract on VIRTUAL with one virtual thread per execution (workers = 0). */
class VirtualUnlimitedContractTest extends ExecutorContract {
  @Override
  protected ExecutionModel model() {
    return ExecutionModel.VIRTUAL;
  }

  @Override
  protected int workers() {
    return 0;
  }
}
