package dev.zkscale;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Dependencies point inward: the decision knows nothing of I/O, clocks or client libraries. */
class ArchitectureTest {
    private static final JavaClasses MAIN = new ClassFileImporter().importPath(Path.of("target", "classes"));

    @Test
    @DisplayName("the decision core uses only the JDK and itself")
    void coreIsPure() {
        classes()
                .that()
                .resideInAPackage("dev.zkscale.core..")
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage("dev.zkscale.core..", "java.lang..", "java.util..", "java.time..")
                .check(MAIN);
    }

    @Test
    @DisplayName("the decision core never reads a clock: time is an input")
    void coreReadsNoClock() {
        noClasses()
                .that()
                .resideInAPackage("dev.zkscale.core..")
                .should()
                .callMethod(java.time.Instant.class, "now")
                .orShould()
                .callMethod(System.class, "currentTimeMillis")
                .orShould()
                .callMethod(System.class, "nanoTime")
                .orShould()
                .dependOnClassesThat()
                .areAssignableTo(java.time.Clock.class)
                .check(MAIN);
    }

    @Test
    @DisplayName("the loop knows its ports, not fabric8, Curator or ZooKeeper")
    void loopKnowsNoClientLibrary() {
        noClasses()
                .that()
                .resideInAPackage("dev.zkscale.loop..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.fabric8..", "org.apache.curator..", "org.apache.zookeeper..")
                .check(MAIN);
    }

    @Test
    @DisplayName("the config rules and codecs know no ZooKeeper: offline commands and the demo use them without it")
    void codecKnowsNoZooKeeper() {
        noClasses()
                .that()
                .resideInAPackage("dev.zkscale.codec..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("org.apache.curator..", "org.apache.zookeeper..", "dev.zkscale.coordination..")
                .check(MAIN);
    }

    @Test
    @DisplayName("the loop depends on the decision core only, the JDK and the logging API")
    void loopDependsOnCoreOnly() {
        classes()
                .that()
                .resideInAPackage("dev.zkscale.loop..")
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage("dev.zkscale.loop..", "dev.zkscale.core..", "java..", "org.jboss.logging..")
                .check(MAIN);
    }

    @Test
    @DisplayName("the demo is off the controller's path: only the command line knows it")
    void onlyTheCommandLineKnowsTheDemo() {
        noClasses()
                .that()
                .resideOutsideOfPackages("dev.zkscale.demo..", "dev.zkscale.cli..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.zkscale.demo..")
                .check(MAIN);
    }
}
