package dev.spindle;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a field of a task's input or output type as sensitive: where Spindle shows a job (the
 * dashboard, the REST API, {@code spindle jobs show|list}) its value is replaced by {@code "***"},
 * wherever a field of that JSON name occurs in the job's arguments or result. Put it on a record
 * component or a field; the JSON name is the component's or field's name. Display only: the stored
 * job keeps the value (encrypt the job to protect it at rest).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.METHOD})
public @interface Sensitive {}
