package dev.spindle.spring.internal;

import dev.spindle.spring.SpindleEnqueuer;
import dev.spindle.spring.SpindleTask;
import dev.spindle.spring.SpindleTasks;
import java.lang.reflect.Modifier;
import java.util.LinkedHashSet;
import java.util.Set;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Makes {@code SpindleTasks<T>} injectable: registers one lazy bean per type that declares
 * {@link SpindleTask} methods (each bean class that is not final, and each interface of a bean
 * that declares them). Runs once, when the context is refreshed; stateless.
 */
public final class SpindleTasksRegistrar implements BeanFactoryPostProcessor {
  /** For Spring. */
  public SpindleTasksRegistrar() {}

  @Override
  public void postProcessBeanFactory(ConfigurableListableBeanFactory beans) {
    if (!(beans instanceof BeanDefinitionRegistry registry)) {
      return;
    }
    Set<Class<?>> types = new LinkedHashSet<>();
    for (String name : beans.getBeanDefinitionNames()) {
      if (beans.getBeanDefinition(name).getRole() == BeanDefinition.ROLE_INFRASTRUCTURE) {
        continue;
      }
      Class<?> type = beans.getType(name, false);
      if (type == null) {
        continue;
      }
      Class<?> user = ClassUtils.getUserClass(type);
      if (declares(user) && !Modifier.isFinal(user.getModifiers()) && !user.isInterface()) {
        types.add(user);
      }
      for (Class<?> i : ClassUtils.getAllInterfacesForClassAsSet(user)) {
        if (declares(i)) {
          types.add(i);
        }
      }
    }
    for (Class<?> t : types) {
      String beanName = "spindleTasks#" + t.getName();
      if (registry.containsBeanDefinition(beanName)) {
        continue;
      }
      RootBeanDefinition def = new RootBeanDefinition(SpindleTasks.class);
      def.setTargetType(ResolvableType.forClassWithGenerics(SpindleTasks.class, t));
      def.setInstanceSupplier(() -> beans.getBean(SpindleEnqueuer.class).tasks(t));
      def.setLazyInit(true);
      registry.registerBeanDefinition(beanName, def);
    }
  }

  private static boolean declares(Class<?> type) {
    boolean[] found = {false};
    ReflectionUtils.doWithMethods(type, m -> found[0] = true,
        m -> !found[0] && m.getDeclaringClass() != Object.class
            && AnnotatedElementUtils.hasAnnotation(m, SpindleTask.class));
    return found[0];
  }
}
