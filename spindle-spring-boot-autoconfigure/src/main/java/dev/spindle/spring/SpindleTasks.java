package dev.spindle.spring;

import dev.spindle.Task;
import dev.spindle.TaskContext;
import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobOptions;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import org.aopalliance.intercept.MethodInterceptor;
import org.jspecify.annotations.Nullable;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Typed enqueue of the {@link SpindleTask} methods of one type: the caller writes the call, the
 * job is the annotated method's task with the call's argument as its JSON input, and the handle is
 * typed by the method's return type. Nothing runs at enqueue: the lambda is given a recording
 * stand-in of {@code T} that only notes which method was called with which argument. Obtain one
 * from {@link SpindleEnqueuer#tasks(Class)} or inject {@code SpindleTasks<OrderTasks>}.
 * Thread-safe.
 *
 * <p>Jobs follow the caller's transaction exactly as {@link SpindleEnqueuer} does (in it, after
 * its commit, or at once), and get the options the task declares, which the optional customizer
 * may change (delay, unique key, queue, priority, ...).
 *
 * <p>{@code T} is an interface on which the methods are annotated (the bean implements it; any
 * class works, final classes and records included), or a bean class that is not final (a
 * subclass stand-in is made without calling its constructor; its final methods cannot be
 * recorded).
 *
 * <pre>{@code
 * CompletableFuture<JobHandle<Receipt>> job = orderTasks.enqueue(t -> t.charge(new Charge(orderId, amount)));
 * orderTasks.enqueueVoid(t -> t.sendConfirmation(orderId), o -> o.delay(Duration.ofMinutes(5)));
 * }</pre>
 *
 * @param <T> the type declaring the task methods
 */
public final class SpindleTasks<T> {
  private final Class<T> type;
  private final SpindleEnqueuer enqueuer;
  private final T standIn;
  private final ThreadLocal<@Nullable Recording> recording = new ThreadLocal<>();

  SpindleTasks(Class<T> type, SpindleEnqueuer enqueuer) {
    this.type = Objects.requireNonNull(type, "type");
    this.enqueuer = Objects.requireNonNull(enqueuer, "enqueuer");
    checkDeclaresTasks(type);
    this.standIn = standIn(type);
  }

  /** The type whose task methods this client enqueues. */
  public Class<T> type() {
    return type;
  }

  /** {@link #enqueue(Function, Consumer)} with the task's options. */
  public <R> CompletableFuture<JobHandle<R>> enqueue(Function<? super T, R> call) {
    return enqueue(call, o -> {});
  }

  /**
   * Enqueues the job of the one {@link SpindleTask} method that {@code call} calls.
   *
   * @param call calls one task method, e.g. {@code t -> t.charge(charge)}; its return value is
   *     ignored (the stand-in returns {@code null}, zero or false)
   * @param options changes the task's options for this job, e.g. {@code o -> o.uniqueKey(id)}
   * @return the job's handle typed by the method's return type, completed as
   *     {@link SpindleEnqueuer} describes
   * @throws IllegalArgumentException if {@code call} calls no method, more than one, or a method
   *     that is not a {@link SpindleTask} of the application
   * @throws dev.spindle.PayloadException if the argument cannot be serialized to JSON or is too large
   */
  public <R> CompletableFuture<JobHandle<R>> enqueue(Function<? super T, R> call,
      Consumer<JobOptions.Builder> options) {
    Recording r = record(t -> {
      var unused = call.apply(t);
    });
    return enqueueRecorded(r, options);
  }

  // The task's output type is the method's return type; its input may be null (no parameter, or a
  // null argument), which Task's input type leaves unannotated.
  @SuppressWarnings({"unchecked", "NullAway"})
  private <R> CompletableFuture<JobHandle<R>> enqueueRecorded(Recording r, Consumer<JobOptions.Builder> options) {
    Objects.requireNonNull(options, "options");
    Task<Object, R> task = (Task<Object, R>) enqueuer.queue().registry().require(r.taskName);
    JobOptions.Builder b = enqueuer.defaultsFor(r.taskName).toBuilder();
    options.accept(b);
    return enqueuer.enqueue(task, r.input, b.build());
  }

  /** {@link #enqueueVoid(Consumer, Consumer)} with the task's options. */
  public CompletableFuture<JobHandle<Void>> enqueueVoid(Consumer<? super T> call) {
    return enqueueVoid(call, o -> {});
  }

  /**
   * Enqueues the job of the one {@link SpindleTask} method returning {@code void} that
   * {@code call} calls; otherwise as {@link #enqueue(Function, Consumer)}.
   */
  public CompletableFuture<JobHandle<Void>> enqueueVoid(Consumer<? super T> call,
      Consumer<JobOptions.Builder> options) {
    Recording r = record(call);
    Method m = Objects.requireNonNull(r.method);
    if (m.getReturnType() != void.class) {
      throw new IllegalArgumentException(type.getName() + "." + m.getName() + " returns "
          + m.getReturnType().getSimpleName() + ", not void: enqueue it with enqueue(t -> ...) for a typed handle");
    }
    return enqueueRecorded(r, options);
  }

  private Recording record(Consumer<? super T> call) {
    Objects.requireNonNull(call, "call");
    Recording previous = recording.get();
    Recording r = new Recording();
    recording.set(r);
    try {
      call.accept(standIn);
    } finally {
      if (previous == null) {
        recording.remove();
      } else {
        recording.set(previous);
      }
    }
    if (r.taskName.isEmpty()) {
      throw new IllegalArgumentException("the lambda called no method of " + type.getName()
          + ": call exactly one @SpindleTask method, e.g. t -> t.charge(charge)");
    }
    return r;
  }

  private @Nullable Object intercept(Method method, @Nullable Object[] args) {
    Recording r = recording.get();
    if (r == null) {
      throw new IllegalStateException("the task stand-in of " + type.getName() + " is only usable inside enqueue");
    }
    SpindleTask a = AnnotatedElementUtils.findMergedAnnotation(method, SpindleTask.class);
    if (a == null) {
      throw new IllegalArgumentException(type.getName() + "." + method.getName()
          + " is not a @SpindleTask method: only those can be enqueued through SpindleTasks");
    }
    if (!r.taskName.isEmpty()) {
      throw new IllegalArgumentException("the lambda called two methods of " + type.getName() + " ("
          + r.taskName + ", then " + a.name() + "): call exactly one @SpindleTask method");
    }
    r.taskName = a.name();
    r.method = method;
    Class<?>[] params = method.getParameterTypes();
    for (int i = 0; i < params.length; i++) {
      if (params[i] != TaskContext.class) {
        r.input = args[i];
      }
    }
    return defaultValue(method.getReturnType());
  }

  private static @Nullable Object defaultValue(Class<?> type) {
    if (!type.isPrimitive() || type == void.class) {
      return null;
    }
    return java.lang.reflect.Array.get(java.lang.reflect.Array.newInstance(type, 1), 0);
  }

  private static void checkDeclaresTasks(Class<?> type) {
    List<Method> tasks = new ArrayList<>();
    ReflectionUtils.doWithMethods(type, tasks::add,
        m -> AnnotatedElementUtils.hasAnnotation(m, SpindleTask.class));
    if (tasks.isEmpty()) {
      for (Class<?> i : ClassUtils.getAllInterfacesForClassAsSet(type)) {
        ReflectionUtils.doWithMethods(i, tasks::add, m -> AnnotatedElementUtils.hasAnnotation(m, SpindleTask.class));
      }
    }
    if (tasks.isEmpty()) {
      throw new IllegalArgumentException(type.getName() + " declares no @SpindleTask method");
    }
    if (!type.isInterface()) {
      for (Method m : tasks) {
        if (Modifier.isFinal(m.getModifiers())) {
          throw new IllegalArgumentException("@SpindleTask method " + type.getName() + "." + m.getName()
              + " is final, so its calls cannot be recorded: make it non-final, or declare it on an interface");
        }
      }
    }
  }

  private T standIn(Class<T> type) {
    if (type.isInterface()) {
      Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
          (p, method, args) -> intercept(method, args == null ? new Object[0] : args));
      return type.cast(proxy);
    }
    if (Modifier.isFinal(type.getModifiers())) {
      throw new IllegalArgumentException(type.getName() + " is final (a record or final class), so no stand-in can"
          + " record its calls: declare its @SpindleTask methods on an interface it implements and use"
          + " SpindleTasks of that interface");
    }
    ProxyFactory factory = new ProxyFactory();
    factory.setTargetClass(type);
    factory.setProxyTargetClass(true);
    factory.addAdvice((MethodInterceptor) inv -> intercept(inv.getMethod(), inv.getArguments()));
    return type.cast(factory.getProxy(type.getClassLoader()));
  }

  /** What one enqueue's lambda called. Confined to its thread. */
  private static final class Recording {
    String taskName = "";
    @Nullable Method method;
    @Nullable Object input;
  }
}
