package dev.spindle.spring.internal;

import dev.spindle.ExecutionModel;
import dev.spindle.Task;
import dev.spindle.TaskCatalog;
import dev.spindle.TaskContext;
import dev.spindle.TaskRegistry;
import dev.spindle.TypeRef;
import dev.spindle.queue.JobOptions;
import dev.spindle.spring.SpindleSchedule;
import dev.spindle.spring.SpindleTask;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Builds the application's task registry (its allow-list) from what it declares: catalog classes
 * named in properties, {@link TaskCatalog} beans, {@link Task} beans, {@link SpindleTask} methods and
 * {@link SpindleSchedule} methods. Annotated methods are found from bean types without creating the beans; each bean is
 * looked up when its first job runs. Stateless.
 */
public final class SpringTasks {
  private SpringTasks() {}

  /**
   * The registry.
   *
   * @param catalogClassNames portable catalogs (public no-argument constructors)
   * @param model the worker's model: with PROCESSES, catalog beans are added as catalog classes
   *     (portable to child JVMs)
   * @throws IllegalArgumentException if a declaration is wrong (the message names the bean and the
   *     method), or two different tasks share a name
   */
  public static TaskRegistry build(ConfigurableListableBeanFactory beans, List<String> catalogClassNames,
      ExecutionModel model) {
    TaskRegistry.Builder b = TaskRegistry.builder();
    ClassLoader cl = beans.getBeanClassLoader() != null ? beans.getBeanClassLoader()
        : SpringTasks.class.getClassLoader();
    for (String name : catalogClassNames) {
      b.addCatalog(catalogClass(name.trim(), cl));
    }
    for (TaskCatalog catalog : beans.getBeansOfType(TaskCatalog.class, false, true).values()) {
      Class<?> type = ClassUtils.getUserClass(catalog);
      if (model == ExecutionModel.PROCESSES) {
        b.addCatalog(type.asSubclass(TaskCatalog.class));
      } else {
        catalog.tasks().forEach(b::add);
      }
    }
    for (Task<?, ?> t : beans.getBeansOfType(Task.class, false, true).values()) {
      b.add(t);
    }
    for (Task<?, ?> t : annotatedTasks(beans)) {
      b.add(t);
    }
    return b.build();
  }

  private static Class<? extends TaskCatalog> catalogClass(String name, @Nullable ClassLoader cl) {
    Class<?> c;
    try {
      c = ClassUtils.forName(name, cl);
    } catch (ClassNotFoundException | LinkageError e) {
      throw new IllegalArgumentException("spindle.tasks.catalogs: class not found: " + name, e);
    }
    if (!TaskCatalog.class.isAssignableFrom(c)) {
      throw new IllegalArgumentException("spindle.tasks.catalogs: " + name + " is not a " + TaskCatalog.class.getName());
    }
    return c.asSubclass(TaskCatalog.class);
  }

  /** The tasks of every {@link SpindleTask} or {@link SpindleSchedule} method of the factory's beans. */
  static List<Task<?, ?>> annotatedTasks(ConfigurableListableBeanFactory beans) {
    return declarations(beans).stream().<Task<?, ?>>map(TaskDeclaration::task).toList();
  }

  /**
   * Every {@link SpindleTask} or {@link SpindleSchedule} method of the factory's beans, found from
   * bean types without creating the beans, each checked.
   *
   * @throws IllegalArgumentException naming the bean, the method and the attribute if a declaration
   *     is wrong
   */
  public static List<TaskDeclaration> declarations(ConfigurableListableBeanFactory beans) {
    List<TaskDeclaration> out = new ArrayList<>();
    for (String beanName : beans.getBeanDefinitionNames()) {
      if (beans.containsBeanDefinition(beanName)
          && beans.getBeanDefinition(beanName).getRole() == BeanDefinition.ROLE_INFRASTRUCTURE) {
        continue;
      }
      Class<?> type = beans.getType(beanName, false);
      if (type == null) {
        continue;
      }
      Class<?> user = ClassUtils.getUserClass(type);
      if (!AnnotationUtils.isCandidateClass(user, List.of(SpindleTask.class, SpindleSchedule.class))) {
        continue;
      }
      Map<Method, Boolean> methods = MethodIntrospector.selectMethods(user,
          (MethodIntrospector.MetadataLookup<Boolean>) m ->
              AnnotatedElementUtils.hasAnnotation(m, SpindleTask.class)
                  || AnnotatedElementUtils.hasAnnotation(m, SpindleSchedule.class) ? Boolean.TRUE : null);
      methods.keySet().stream().sorted(java.util.Comparator.comparing(Method::toGenericString))
          .forEach(m -> out.add(declaration(beans, beanName, m)));
    }
    return out;
  }

  private static TaskDeclaration declaration(ConfigurableListableBeanFactory beans, String beanName, Method m) {
    SpindleTask a = AnnotatedElementUtils.findMergedAnnotation(m, SpindleTask.class);
    SpindleSchedule s = AnnotatedElementUtils.findMergedAnnotation(m, SpindleSchedule.class);
    String method = m.getDeclaringClass().getName() + "." + m.getName() + " (bean '" + beanName + "')";
    String name;
    String where;
    if (a != null) {
      name = a.name();
      where = "@SpindleTask(\"" + dev.spindle.spi.Echo.of(name) + "\") on " + method;
      if (name.isEmpty()) {
        throw new IllegalArgumentException("@SpindleTask on " + method + ": the task name (name or value) is required");
      }
    } else {
      SpindleSchedule sched = java.util.Objects.requireNonNull(s);
      name = sched.name().isEmpty() ? beanName + "." + m.getName() : sched.name();
      where = "@SpindleSchedule on " + method;
      if (m.getParameterCount() > 1 || (m.getParameterCount() == 1 && m.getParameterTypes()[0] != TaskContext.class)) {
        throw new IllegalArgumentException(where + ": a scheduled method without @SpindleTask takes no parameter"
            + " (or only the TaskContext); declare @SpindleTask to give it an input");
      }
    }
    try {
      Task.validateName(name);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
    }
    Task<?, ?> task = task(beans, beanName, m, name, where);
    UnaryOperator<JobOptions> options = a == null ? UnaryOperator.identity() : TaskAttributes.options(a, where, beans);
    TaskDeclaration.ScheduleDeclaration schedule = s == null ? null
        : TaskAttributes.schedule(s, name, "@SpindleSchedule on " + method, beans);
    return new TaskDeclaration(task, where, options, schedule);
  }

  // A task method may return null (void); TaskFunction's output is unannotated in practice.
  @SuppressWarnings("NullAway")
  private static Task<?, ?> task(ConfigurableListableBeanFactory beans, String beanName, Method m, String name,
      String where) {
    if (Modifier.isStatic(m.getModifiers())) {
      throw new IllegalArgumentException(where + ": the method must not be static");
    }
    Type[] params = m.getGenericParameterTypes();
    Class<?>[] raw = m.getParameterTypes();
    Type input;
    boolean withContext;
    switch (params.length) {
      case 0 -> {
        input = Void.class;
        withContext = false;
      }
      case 1 -> {
        withContext = raw[0] == TaskContext.class;
        input = withContext ? Void.class : params[0];
      }
      case 2 -> {
        if (raw[1] != TaskContext.class) {
          throw new IllegalArgumentException(where + ": a second parameter must be the TaskContext");
        }
        input = params[0];
        withContext = true;
      }
      default -> throw new IllegalArgumentException(where
          + ": take the input (one parameter), optionally followed by the TaskContext");
    }
    Type output = m.getReturnType() == void.class ? Void.class : m.getGenericReturnType();
    BeanMethod call = new BeanMethod(beans, beanName, m, params.length, withContext, raw.length == 1 && withContext);
    return Task.generic(name, TypeRef.of(input), TypeRef.of(output), call::invoke);
  }

  /** Calls an annotated method on its bean, as Spring exposes it (proxies included). Thread-safe. */
  private static final class BeanMethod {
    private final ConfigurableListableBeanFactory beans;
    private final String beanName;
    private final Method declared;
    private final int arity;
    private final boolean withContext;
    private final boolean contextOnly;
    private volatile @Nullable Object bean;
    private volatile @Nullable Method invocable;

    BeanMethod(ConfigurableListableBeanFactory beans, String beanName, Method declared, int arity, boolean withContext,
        boolean contextOnly) {
      this.beans = beans;
      this.beanName = beanName;
      this.declared = declared;
      this.arity = arity;
      this.withContext = withContext;
      this.contextOnly = contextOnly;
    }

    @Nullable Object invoke(@Nullable Object input, TaskContext ctx) throws Exception {
      Object target = bean;
      Method method = invocable;
      if (target == null || method == null) {
        target = beans.getBean(beanName);
        method = AopUtils.selectInvocableMethod(declared, target.getClass());
        ReflectionUtils.makeAccessible(method);
        invocable = method;
        bean = target;
      }
      Object[] args = switch (arity) {
        case 0 -> new Object[0];
        case 1 -> new Object[] {contextOnly ? ctx : input};
        default -> new Object[] {input, withContext ? ctx : null};
      };
      try {
        return method.invoke(target, args);
      } catch (InvocationTargetException e) {
        Throwable cause = e.getCause();
        if (cause instanceof Exception ex) {
          throw ex;
        }
        if (cause instanceof Error err) {
          throw err;
        }
        throw e;
      }
    }
  }
}
