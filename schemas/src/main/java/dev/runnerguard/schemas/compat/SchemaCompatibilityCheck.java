package dev.runnerguard.schemas.compat;

import dev.runnerguard.schemas.ReleasedSchema;
import dev.runnerguard.schemas.Schemas;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityResult;
import org.apache.avro.SchemaCompatibility.SchemaIncompatibilityType;
import org.apache.avro.specific.SpecificRecord;

/**
 * Build-time check that every record schema is BACKWARD compatible with each of its released
 * versions: the current schema must read data written with any released one. Run by the build
 * (exec-maven-plugin, phase {@code process-classes}) with the released folder as argument; fails
 * with one message per problem naming the schema, the released file and the field.
 */
public final class SchemaCompatibilityCheck {

  private SchemaCompatibilityCheck() {}

  /**
   * Checks the released folder given as first argument (default {@code src/main/released}).
   *
   * @throws IllegalStateException listing every problem, when there is any
   */
  public static void main(String[] args) {
    Path releasedDir = Path.of(args.length > 0 ? args[0] : "src/main/released");
    List<String> problems = check(releasedDir);
    if (!problems.isEmpty()) {
      problems.forEach(p -> System.err.println("[schemas] " + p));
      throw new IllegalStateException(
          "Schema compatibility check failed:\n" + String.join("\n", problems));
    }
    System.out.println(
        "[schemas] "
            + Schemas.recordClasses().size()
            + " record schemas are BACKWARD compatible with their released versions in "
            + releasedDir);
  }

  /** Every problem of every record class against the released folder; empty when all is well. */
  public static List<String> check(Path releasedDir) {
    List<String> problems = new ArrayList<>();
    for (Class<? extends SpecificRecord> type : Schemas.recordClasses()) {
      Schema current = Schemas.currentSchema(type);
      for (ReleasedSchema released :
          ReleasedSchemaFiles.read(releasedDir, type.getSimpleName(), problems)) {
        problems.addAll(check(current, released));
      }
    }
    Set<String> known =
        Schemas.recordClasses().stream().map(Class::getSimpleName).collect(Collectors.toSet());
    if (Files.isDirectory(releasedDir)) {
      try (Stream<Path> dirs = Files.list(releasedDir)) {
        dirs.filter(Files::isDirectory)
            .map(d -> d.getFileName().toString())
            .filter(name -> !known.contains(name))
            .sorted()
            .forEach(
                name ->
                    problems.add(
                        "Released schema released/"
                            + name
                            + " has no current record class: released records must not be"
                            + " removed"));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list " + releasedDir, e);
      }
    }
    return problems;
  }

  /**
   * The problems of reading data written with a released schema using the current one; empty when
   * the current schema is BACKWARD compatible with it.
   */
  public static List<String> check(Schema current, ReleasedSchema released) {
    List<String> problems = new ArrayList<>();
    for (Problem problem : incompatibilities(current, released.schema(), "")) {
      String field = FieldPaths.describe(current, problem.location());
      problems.add(
          "Schema "
              + current.getFullName()
              + " is not BACKWARD compatible with released v"
              + released.version()
              + " ("
              + released.location()
              + "): field "
              + problem.location()
              + (field.isEmpty() ? "" : " '" + field + "'")
              + ": "
              + problem.incompatibility().getMessage()
              + " ("
              + problem.incompatibility().getType()
              + ")");
    }
    return problems;
  }

  private record Problem(String location, Incompatibility incompatibility) {}

  /**
   * Avro's incompatibilities, with "reader union lacking writer type" of a named type explained by
   * the incompatibilities between the writer's type and the reader's union branch of the same name,
   * so the message points at the field that changed inside it.
   */
  private static List<Problem> incompatibilities(Schema reader, Schema writer, String prefix) {
    SchemaCompatibilityResult result =
        SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getResult();
    List<Problem> problems = new ArrayList<>();
    for (Incompatibility i : result.getIncompatibilities()) {
      Schema union = i.getReaderFragment();
      Schema branch = writerBranch(i);
      int same = sameNamedBranch(union, branch);
      if (i.getType() == SchemaIncompatibilityType.MISSING_UNION_BRANCH && same >= 0) {
        String unionLocation = i.getLocation().replaceFirst("/[0-9]+$", "");
        problems.addAll(
            incompatibilities(
                union.getTypes().get(same), branch, prefix + unionLocation + "/" + same));
      } else {
        problems.add(new Problem(prefix + i.getLocation(), i));
      }
    }
    return problems;
  }

  /** The writer type a MISSING_UNION_BRANCH is about (Avro reports the whole writer union). */
  private static Schema writerBranch(Incompatibility i) {
    Schema writer = i.getWriterFragment();
    if (writer == null || writer.getType() != Schema.Type.UNION) {
      return writer;
    }
    String location = i.getLocation();
    String last = location.substring(location.lastIndexOf('/') + 1);
    if (!last.matches("[0-9]+") || Integer.parseInt(last) >= writer.getTypes().size()) {
      return null;
    }
    return writer.getTypes().get(Integer.parseInt(last));
  }

  private static int sameNamedBranch(Schema union, Schema writer) {
    if (union == null || writer == null || union.getType() != Schema.Type.UNION) {
      return -1;
    }
    if (writer.getType() != Schema.Type.RECORD && writer.getType() != Schema.Type.ENUM) {
      return -1;
    }
    List<Schema> types = union.getTypes();
    for (int b = 0; b < types.size(); b++) {
      if (types.get(b).getType() == writer.getType()
          && types.get(b).getFullName().equals(writer.getFullName())) {
        return b;
      }
    }
    return -1;
  }
}
