package dev.hexgate.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.fields;

import java.io.FileDescriptor;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.Buffer;
import java.nio.channels.Channel;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What a native image build would refuse or silently get wrong, checked on the JVM so that CI catches it without GraalVM.
 * Quarkus initialises application classes while the image is built, so a {@code static} field is part of the image heap.
 */
class NativeImageRulesTest {

    static final JavaClasses MAIN = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.hexgate");

    /** Objects that cannot live in the image heap: seeded generators, threads, open files, sockets, native buffers. */
    private static final List<Class<?>> RUN_TIME_ONLY = List.of(Random.class, SplittableRandom.class, Thread.class,
            FileDescriptor.class, Buffer.class, Channel.class, Socket.class, ServerSocket.class, InputStream.class,
            OutputStream.class, Process.class);

    @Test
    void noStaticFieldHoldsAnObjectThatMustBeCreatedAtRunTime() {
        fields().that().haveModifier(JavaModifier.STATIC)
                .should(new ArchCondition<JavaField>("not hold a Random, Thread, file, socket or buffer") {
                    @Override
                    public void check(JavaField field, ConditionEvents events) {
                        for (Class<?> forbidden : RUN_TIME_ONLY) {
                            if (field.getRawType().isAssignableTo(forbidden)) {
                                events.add(SimpleConditionEvent.violated(field, field.getFullName() + " is a static "
                                        + forbidden.getSimpleName() + ": create it at run time (an instance field of a bean)"));
                            }
                        }
                    }
                })
                .allowEmptyShould(true)
                .check(MAIN);
    }

    @Test
    void recordsBoundByJacksonAreRegisteredForReflection() {
        classes().that(boundByJackson()).should().beAnnotatedWith(RegisterForReflection.class)
                .because("Jackson creates records through their canonical constructor, found by reflection")
                .check(MAIN);
    }

    /** A record carrying a Jackson annotation on itself or on a component, or the type of such a component. */
    static DescribedPredicate<JavaClass> boundByJackson() {
        return new DescribedPredicate<>("are records bound by Jackson") {
            @Override
            public boolean test(JavaClass c) {
                return c.isRecord() && (hasJackson(c) || MAIN.stream().filter(JavaClass::isRecord)
                        .filter(NativeImageRulesTest::hasJackson)
                        .anyMatch(owner -> owner.getFields().stream().anyMatch(f -> f.getRawType().equals(c))));
            }
        };
    }

    private static boolean hasJackson(JavaClass c) {
        return c.getAnnotations().stream().anyMatch(a -> a.getRawType().getPackageName().startsWith("com.fasterxml.jackson"))
                || c.getFields().stream().anyMatch(f -> f.getAnnotations().stream()
                        .anyMatch(a -> a.getRawType().getPackageName().startsWith("com.fasterxml.jackson")));
    }
}
