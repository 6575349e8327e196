package dev.spindle.testkit;

import dev.spindle.ExecutionModel;

/** The executor contract on THREADS. */
class ThreadsContractTest extends ExecutorContract {
  @Override
  protected ExecutionModel model() {
    return ExecutionModel.THREADS;
  }
}
