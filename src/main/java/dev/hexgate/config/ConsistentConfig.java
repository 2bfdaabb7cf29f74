package dev.hexgate.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;

/** The settings that depend on each other, or that a single annotation cannot check; see {@link ConsistentConfigValidator}. */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = ConsistentConfigValidator.class)
public @interface ConsistentConfig {

    String message() default "hexgate settings are inconsistent";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
}
