package dev.runnerguard.schemas.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runnerguard.schemas.ReleasedSchema;
import dev.runnerguard.schemas.Schemas;
import dev.runnerguard.schemas.avro.WorkflowJobEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaCompatibilityCheckTest {

  private static final Path RELEASED = Path.of("src/main/released");
  private static final String V1 = "released/WorkflowJobEvent/v1.avsc";

  private static ReleasedSchema released(Schema schema) {
    return new ReleasedSchema("WorkflowJobEvent", 1, V1, schema);
  }

  private static Schema current() {
    return WorkflowJobEvent.getClassSchema();
  }

  /** The current schema with a JSON fragment replaced, to play "edited current schema". */
  private static Schema edited(String from, String to) {
    String json = current().toString();
    assertThat(json).contains(from);
    return new Schema.Parser().parse(json.replace(from, to));
  }

  @Test
  void theModuleIsCompatibleWithItsReleasedVersions() {
    assertThat(SchemaCompatibilityCheck.check(RELEASED)).isEmpty();
  }

  @Test
  void changedFieldTypeNamesSchemaReleasedFileAndField() {
    Schema changed =
        edited("\"name\":\"jobId\",\"type\":\"long\"", "\"name\":\"jobId\",\"type\":\"string\"");

    List<String> problems = SchemaCompatibilityCheck.check(changed, released(current()));

    assertThat(problems)
        .singleElement()
        .asString()
        .contains("Schema dev.runnerguard.schemas.avro.WorkflowJobEvent is not BACKWARD compatible")
        .contains("released v1 (" + V1 + ")")
        .contains("field /fields/2/type 'jobId'")
        .contains("STRING not compatible with writer type: LONG");
  }

  @Test
  void changedNestedFieldTypeNamesTheFieldPath() {
    Schema changed =
        edited(
            "\"name\":\"runId\",\"type\":[\"null\",\"long\"],\"doc\":\"GitHub workflow run id.\"",
            "\"name\":\"runId\",\"type\":[\"null\",\"int\"],\"doc\":\"GitHub workflow run id.\"");

    List<String> problems = SchemaCompatibilityCheck.check(changed, released(current()));

    assertThat(problems).isNotEmpty().allMatch(p -> p.contains("'metadata.correlation.runId'"));
  }

  @Test
  void changedFieldInsideANullableRecordNamesTheInnerField() {
    Schema signal = dev.runnerguard.schemas.avro.SecuritySignal.getClassSchema();
    String from = "\"name\":\"destinationPort\",\"type\":[\"null\",\"int\"]";
    assertThat(signal.toString()).contains(from);
    Schema changed =
        new Schema.Parser()
            .parse(
                signal
                    .toString()
                    .replace(from, "\"name\":\"destinationPort\",\"type\":[\"null\",\"string\"]"));

    assertThat(
            SchemaCompatibilityCheck.check(
                changed, new ReleasedSchema("SecuritySignal", 1, "x", signal)))
        .isNotEmpty()
        .allMatch(p -> p.contains("'network.destinationPort'"), "names network.destinationPort");
  }

  @Test
  void addedFieldWithDefaultIsCompatible() {
    Schema added =
        edited(
            "{\"name\":\"action\"",
            "{\"name\":\"newField\",\"type\":[\"null\",\"string\"],\"default\":null},"
                + "{\"name\":\"action\"");

    assertThat(SchemaCompatibilityCheck.check(added, released(current()))).isEmpty();
  }

  @Test
  void addedFieldWithoutDefaultIsIncompatible() {
    Schema added =
        edited(
            "{\"name\":\"action\"",
            "{\"name\":\"tenant\",\"type\":\"string\"},{\"name\":\"action\"");

    assertThat(SchemaCompatibilityCheck.check(added, released(current())))
        .singleElement()
        .asString()
        .contains("WorkflowJobEvent")
        .contains("'tenant'")
        .contains("READER_FIELD_MISSING_DEFAULT_VALUE");
  }

  @Test
  void removedEnumSymbolWithoutDefaultIsIncompatible() {
    Schema writer =
        new Schema.Parser()
            .parse(
                "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"state\",\"type\":"
                    + "{\"type\":\"enum\",\"name\":\"S\",\"symbols\":[\"A\",\"B\"]}}]}");
    Schema reader =
        new Schema.Parser()
            .parse(
                "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"state\",\"type\":"
                    + "{\"type\":\"enum\",\"name\":\"S\",\"symbols\":[\"A\"]}}]}");

    assertThat(SchemaCompatibilityCheck.check(reader, new ReleasedSchema("R", 1, "x", writer)))
        .singleElement()
        .asString()
        .contains("Schema R is not BACKWARD compatible")
        .contains("'state'")
        .contains("MISSING_ENUM_SYMBOLS");
  }

  @Test
  void removedEnumSymbolIsCompatibleWhenTheEnumHasADefault() {
    Schema command = dev.runnerguard.schemas.avro.RunnerCommand.getClassSchema();
    Schema withoutSymbol =
        new Schema.Parser().parse(command.toString().replace(",\"CANCEL_RUN\"", ""));

    assertThat(
            SchemaCompatibilityCheck.check(
                withoutSymbol, new ReleasedSchema("RunnerCommand", 1, "x", command)))
        .isEmpty();
  }

  @Test
  void releasedFolderProblemsAreReported(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("WorkflowJobEvent"));
    Files.writeString(dir.resolve("WorkflowJobEvent/v1.avsc"), current().toString());
    Files.writeString(dir.resolve("WorkflowJobEvent/v3.avsc"), current().toString());
    Files.writeString(dir.resolve("WorkflowJobEvent/latest.avsc"), "{}");
    Files.createDirectories(dir.resolve("RemovedRecord"));

    assertThat(SchemaCompatibilityCheck.check(dir))
        .anyMatch(p -> p.contains("gap: v2 is missing"))
        .anyMatch(p -> p.contains("released/WorkflowJobEvent/latest.avsc"))
        .anyMatch(p -> p.contains("released/RemovedRecord has no current record class"));
  }

  @Test
  void mainFailsWithTheProblems(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("WorkflowJobEvent"));
    Files.writeString(
        dir.resolve("WorkflowJobEvent/v1.avsc"),
        current()
            .toString()
            .replace(
                "\"name\":\"jobId\",\"type\":\"long\"", "\"name\":\"jobId\",\"type\":\"string\""));

    assertThatThrownBy(() -> SchemaCompatibilityCheck.main(new String[] {dir.toString()}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("dev.runnerguard.schemas.avro.WorkflowJobEvent")
        .hasMessageContaining(V1)
        .hasMessageContaining("'jobId'");
  }

  @Test
  void releaseWritesOnlyChangedSchemas(@TempDir Path dir) throws Exception {
    List<Path> first = SchemaRelease.release(dir);
    List<Path> second = SchemaRelease.release(dir);

    assertThat(first)
        .hasSize(Schemas.recordClasses().size())
        .allMatch(p -> p.getFileName().toString().equals("v1.avsc"));
    assertThat(second).isEmpty();
    assertThat(SchemaCompatibilityCheck.check(dir)).isEmpty();
    // the committed latest version of every record is the current schema: nothing changed
    // unreleased
    for (var type : Schemas.recordClasses()) {
      String name = type.getSimpleName();
      int latest = ReleasedSchemaFiles.read(RELEASED, name, new java.util.ArrayList<>()).size();
      assertThat(Files.readString(dir.resolve(name + "/v1.avsc")))
          .as(name + " v" + latest)
          .isEqualTo(Files.readString(RELEASED.resolve(name + "/v" + latest + ".avsc")));
    }
  }
}
