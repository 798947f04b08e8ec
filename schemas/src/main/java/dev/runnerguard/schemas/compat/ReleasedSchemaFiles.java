package dev.runnerguard.schemas.compat;

import dev.runnerguard.schemas.ReleasedSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * Reads the released schema versions of one record from a released folder ({@code
 * <dir>/<RecordName>/vN.avsc}), reporting misnamed files, gaps and unparsable files as problems.
 */
final class ReleasedSchemaFiles {

  private static final Pattern VERSION_FILE = Pattern.compile("v([1-9][0-9]*)\\.avsc");

  private ReleasedSchemaFiles() {}

  /** The released versions of a record, oldest first; problems are added to {@code problems}. */
  static List<ReleasedSchema> read(Path releasedDir, String recordName, List<String> problems) {
    Path dir = releasedDir.resolve(recordName);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    TreeMap<Integer, Path> files = new TreeMap<>();
    try (Stream<Path> entries = Files.list(dir)) {
      for (Path p : (Iterable<Path>) entries.sorted()::iterator) {
        Matcher m = VERSION_FILE.matcher(p.getFileName().toString());
        if (m.matches()) {
          files.put(Integer.parseInt(m.group(1)), p);
        } else {
          problems.add(
              "Unexpected file "
                  + label(releasedDir, p)
                  + ": released schemas must be named vN.avsc (N = 1, 2, ...)");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
    List<ReleasedSchema> released = new ArrayList<>();
    int expected = 1;
    for (var entry : files.entrySet()) {
      String location = label(releasedDir, entry.getValue());
      if (entry.getKey() != expected) {
        problems.add(
            "Released versions of " + recordName + " have a gap: v" + expected + " is missing");
      }
      expected = entry.getKey() + 1;
      try {
        Schema schema = new Schema.Parser().parse(entry.getValue().toFile());
        released.add(new ReleasedSchema(recordName, entry.getKey(), location, schema));
      } catch (IOException | SchemaParseException e) {
        problems.add("Cannot parse released schema " + location + ": " + e.getMessage());
      }
    }
    return released;
  }

  /** A file's path as {@code released/<Name>/vN.avsc}. */
  static String label(Path releasedDir, Path file) {
    return "released/" + releasedDir.relativize(file).toString().replace('\\', '/');
  }
}
