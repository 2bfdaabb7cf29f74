package dev.hexgate.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;

import dev.hexgate.hex.HexHost;
import dev.hexgate.hex.HexOrigin;

/**
 * The package rules of docs/architecture.md: arrows point one way (resources → services → store/hex → domain), only the
 * store talks to Vault, and only the hex package makes upstream host names.
 */
class ArchitectureTest {

    private static final JavaClasses MAIN = NativeImageRulesTest.MAIN;

    @Test
    void packagesHaveNoCycles() {
        slices().matching("dev.hexgate.(*)..").should().beFreeOfCycles().check(MAIN);
    }

    @Test
    void theDomainDependsOnNoFeature() {
        classes().that().resideInAPackage("dev.hexgate.domain..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("dev.hexgate.domain..", "java..",
                        "com.fasterxml.jackson..", "io.quarkus.runtime.annotations..")
                .check(MAIN);
    }

    @Test
    void onlyTheStoreTalksToVault() {
        noClasses().that().resideOutsideOfPackage("dev.hexgate.store..")
                .should().dependOnClassesThat().resideInAPackage("io.quarkus.vault..")
                .check(MAIN);
    }

    @Test
    void onlyTheHexPackageBuildsUpstreamOrigins() {
        noClasses().that().resideOutsideOfPackage("dev.hexgate.hex..")
                .should().callConstructor(HexOrigin.class, boolean.class, String.class, int.class, String.class,
                        Optional.class)
                .check(MAIN);
        noClasses().that().resideOutsideOfPackages("dev.hexgate.hex..", "dev.hexgate.proxy..")
                .should().dependOnClassesThat().areAssignableTo(HexHost.class)
                .because("only the proxy (and the token check inside hex) turn a stored subdomain into a host")
                .check(MAIN);
    }
}
