package dev.runnerguard.orchestrator.sandbox;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the provider remembers of one runner, on disk ({@code <stateDir>/<runnerId>/state.json},
 * root-only). Never holds a secret.
 *
 * @param version format version (1)
 * @param runnerId the runner id
 * @param jobId the job it was provisioned for
 * @param runnerClass its runner class
 * @param slot its address-pool slot
 * @param hostAddress host end of its veth
 * @param runnerAddress its own address
 * @param uid uid of its processes
 * @param gid gid of its processes
 * @param runnerCommand the runner command it runs
 * @param createdAt when it was provisioned
 * @param deadline createdAt + maxDuration (the orchestrator enforces it)
 * @param egressAllowlist the allowlist as given
 * @param egressRejected allowlist entries that were denied, with reasons
 */
public record SandboxState(
    int version,
    String runnerId,
    long jobId,
    String runnerClass,
    int slot,
    String hostAddress,
    String runnerAddress,
    int uid,
    int gid,
    String runnerCommand,
    Instant createdAt,
    Instant deadline,
    List<String> egressAllowlist,
    List<String> egressRejected) {

  static final String FILE = "state.json";

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .findAndRegisterModules()
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(SerializationFeature.INDENT_OUTPUT);

  public SandboxState {
    egressAllowlist = List.copyOf(egressAllowlist == null ? List.of() : egressAllowlist);
    egressRejected = List.copyOf(egressRejected == null ? List.of() : egressRejected);
  }

  /** Writes atomically (temp file + rename), mode 0600. */
  public void write(Path runnerDir) throws IOException {
    Path tmp = runnerDir.resolve(FILE + ".tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(
        tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.write(tmp, JSON.writeValueAsBytes(this));
    try {
      Files.move(
          tmp,
          runnerDir.resolve(FILE),
          StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, runnerDir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Reads the state of a runner directory; empty when there is none (or it is unreadable). */
  public static Optional<SandboxState> read(Path runnerDir) {
    try {
      return Optional.of(
          JSON.readValue(Files.readAllBytes(runnerDir.resolve(FILE)), SandboxState.class));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  static String toJson(Object o) {
    try {
      return JSON.writeValueAsString(o);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static ObjectMapper json() {
    return JSON;
  }
}
