package dev.runnerguard.systemtests.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.runnerguard.testing.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Service modules depend only on {@code schemas} and support modules, never on each other: checked
 * on the compiled classes (ArchUnit) and on the POMs, so even an unused dependency is caught.
 */
class ModuleBoundariesTest {
  /** Service module directory to its root package. */
  static final List<String> SERVICE_MODULES =
      List.of(
          "webhook-gateway",
          "token-service",
          "runner-orchestrator",
          "policy-service",
          "audit-ingest",
          "github-sim");

  /** What a service module may depend on among the project's own artifacts. */
  static final Set<String> ALLOWED =
      Set.of("runnerguard-schemas", "runnerguard-support", "runnerguard-testing");

  static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.runnerguard");
  }

  @Test
  void serviceModulesDoNotDependOnEachOther() {
    assertThat(classes.stream().map(c -> c.getPackageName()))
        .as("the service classes were imported")
        .anyMatch(p -> p.startsWith("dev.runnerguard.gateway"))
        .anyMatch(p -> p.startsWith("dev.runnerguard.policy"));
    slices()
        .matching("dev.runnerguard.(gateway|token|orchestrator|policy|audit|githubsim)..")
        .should()
        .notDependOnEachOther()
        .allowEmptyShould(true)
        .check(classes);
  }

  @Test
  void servicesDoNotUseTheLauncherOrTestSupport() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "dev.runnerguard.gateway..",
            "dev.runnerguard.token..",
            "dev.runnerguard.orchestrator..",
            "dev.runnerguard.policy..",
            "dev.runnerguard.audit..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.runnerguard.launcher..",
            "dev.runnerguard.testing..",
            "dev.runnerguard.systemtests..")
        .check(classes);
  }

  @Test
  void schemasDependsOnNoOtherModule() {
    noClasses()
        .that()
        .resideInAPackage("dev.runnerguard.schemas..")
        .should()
        .dependOnClassesThat()
        .resideOutsideOfPackages(
            "dev.runnerguard.schemas..",
            "java..",
            "javax..",
            "org.apache.avro..",
            "org.apache.kafka..",
            "io.apicurio..",
            "com.fasterxml.jackson..",
            "org.slf4j..",
            // lz4-java: RawBodies writes and reads the raw webhook body as an LZ4 frame
            "net.jpountz..")
        .check(classes);
  }

  @Test
  void servicePomsDeclareOnlySchemasAndSupportModules() throws Exception {
    Path root = ServiceProcess.repoRoot();
    List<String> violations = new ArrayList<>();
    int checked = 0;
    for (String module : SERVICE_MODULES) {
      Path pom = root.resolve(module).resolve("pom.xml");
      if (!Files.exists(pom)) {
        continue;
      }
      checked++;
      var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
      NodeList deps = doc.getElementsByTagName("dependency");
      for (int i = 0; i < deps.getLength(); i++) {
        Element dep = (Element) deps.item(i);
        String group = text(dep, "groupId");
        String artifact = text(dep, "artifactId");
        if ("dev.runnerguard".equals(group) && !ALLOWED.contains(artifact)) {
          violations.add(module + " depends on " + artifact);
        }
      }
    }
    assertThat(checked).isGreaterThanOrEqualTo(5);
    assertThat(violations).as("service modules may only use schemas and support modules").isEmpty();
  }

  private static String text(Element parent, String tag) {
    NodeList nodes = parent.getElementsByTagName(tag);
    return nodes.getLength() == 0 ? null : nodes.item(0).getTextContent().trim();
  }
}
