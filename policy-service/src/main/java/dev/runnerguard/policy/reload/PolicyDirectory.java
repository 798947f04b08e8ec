package dev.runnerguard.policy.reload;

import dev.runnerguard.policy.load.PolicyFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads the policy files of a source: a directory ({@code *.yaml}/{@code *.yml} directly in it,
 * hidden names skipped, symlinks followed, so a ConfigMap's {@code ..data} swap is read whole) or
 * the default set on the class path ({@code policies/default/}, listed by its {@code INDEX}).
 */
public sealed interface PolicyDirectory {

  /** Where the files come from, for logs and the policy set. */
  String describe();

  /** The current files. */
  List<PolicyFile> read() throws IOException;

  /** A directory on disk. */
  record OnDisk(Path dir) implements PolicyDirectory {
    @Override
    public String describe() {
      return dir.toString();
    }

    @Override
    public List<PolicyFile> read() throws IOException {
      if (!Files.isDirectory(dir)) {
        throw new IOException("policy directory " + dir + " does not exist or is not a directory");
      }
      List<PolicyFile> files = new ArrayList<>();
      try (Stream<Path> entries = Files.list(dir)) {
        for (Path p : entries.sorted().toList()) {
          String name = p.getFileName().toString();
          if (PolicyFile.isPolicyFileName(name) && Files.isRegularFile(p)) {
            files.add(new PolicyFile(name, Files.readAllBytes(p)));
          }
        }
      }
      return files;
    }
  }

  /** The default policy set packaged with the service. */
  record ClassPath(String base) implements PolicyDirectory {
    /** The packaged default set. */
    public static ClassPath defaults() {
      return new ClassPath("policies/default");
    }

    @Override
    public String describe() {
      return "classpath:" + base;
    }

    @Override
    public List<PolicyFile> read() {
      List<PolicyFile> files = new ArrayList<>();
      for (String line :
          new String(resource(base + "/INDEX"), StandardCharsets.UTF_8).split("\\R")) {
        String name = line.trim();
        if (!name.isEmpty() && !name.startsWith("#")) {
          files.add(new PolicyFile(name, resource(base + "/" + name)));
        }
      }
      return files;
    }

    private static byte[] resource(String path) {
      try (InputStream in =
          Thread.currentThread().getContextClassLoader() != null
              ? Thread.currentThread().getContextClassLoader().getResourceAsStream(path)
              : PolicyDirectory.class.getClassLoader().getResourceAsStream(path)) {
        if (in == null) {
          throw new IllegalStateException("missing class-path resource " + path);
        }
        return in.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
