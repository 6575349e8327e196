package dev.spindle.testkit;

import dev.spindle.ExecutionModel;

/**
 * The executor contract on COROUTINE: one event loop. The contract's tasks never suspend through
 * the loop (they block), so one runs at a time, as on SEQUENTIAL: the suite's worker count is 1.
 */
class CoroutineContractTest extends ExecutorContract {
  @Override
  protected ExecutionModel model() {
    return ExecutionModel.COROUTINE;
  }

  @Override
  protected int workers() {
    return 1;
  }
}
