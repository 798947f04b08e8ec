package dev.runnerguard.schemas.compat;

import dev.runnerguard.schemas.ReleasedSchema;
import dev.runnerguard.schemas.Schemas;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaFormatter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Releases the current schemas: for every record whose current schema differs from its latest
 * released version (or that has none), writes the current self-contained schema as the next {@code
 * released/<RecordName>/vN.avsc}. Run it when a release ships; the files are then kept unchanged.
 */
public final class SchemaRelease {

  private SchemaRelease() {}

  /** Releases into the folder given as first argument (default {@code src/main/released}). */
  public static void main(String[] args) throws IOException {
    Path releasedDir = Path.of(args.length > 0 ? args[0] : "src/main/released");
    for (Path written : release(releasedDir)) {
      System.out.println("[schemas] released " + written);
    }
  }

  /** Writes the next version of every changed record; returns the files written. */
  public static List<Path> release(Path releasedDir) throws IOException {
    List<Path> written = new ArrayList<>();
    for (Class<? extends SpecificRecord> type : Schemas.recordClasses()) {
      Schema current = Schemas.currentSchema(type);
      List<String> problems = new ArrayList<>();
      List<ReleasedSchema> released =
          ReleasedSchemaFiles.read(releasedDir, type.getSimpleName(), problems);
      if (!problems.isEmpty()) {
        throw new IllegalStateException(String.join("\n", problems));
      }
      if (!released.isEmpty() && released.get(released.size() - 1).schema().equals(current)) {
        continue;
      }
      Path file =
          releasedDir.resolve(
              ReleasedSchema.relativePath(type.getSimpleName(), released.size() + 1));
      Files.createDirectories(file.getParent());
      Files.writeString(
          file, SchemaFormatter.format("json/pretty", current) + "\n", StandardCharsets.UTF_8);
      written.add(file);
    }
    return written;
  }
}
