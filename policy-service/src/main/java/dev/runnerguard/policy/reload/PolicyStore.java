package dev.runnerguard.policy.reload;

import dev.runnerguard.policy.admission.PolicySet;
import dev.runnerguard.policy.load.PolicyFile;
import dev.runnerguard.policy.load.PolicyLoadException;
import dev.runnerguard.policy.load.PolicyLoader;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Holds the active policy set and reloads it from its directory when the content hash changes. Not
 * a bean: {@code PolicyService} schedules {@link #poll()}.
 *
 * <p>A new set replaces the active one whole, only when it loaded without problems; a broken
 * directory is rejected (logged with every problem, counted) and the last good set stays active.
 * The same broken content is rejected once, not at every poll.
 */
public final class PolicyStore {

  /** What a poll did. */
  public enum Outcome {
    UNCHANGED,
    LOADED,
    REJECTED,
    UNREADABLE
  }

  /** A listener's view of a poll that changed something. */
  public record Event(Outcome outcome, String version, String detail) {}

  private final PolicyDirectory directory;
  private final Consumer<Event> listener;
  private final AtomicReference<PolicySet> active = new AtomicReference<>();
  private volatile String lastSeenVersion;
  private volatile String lastProblem;

  public PolicyStore(PolicyDirectory directory, Consumer<Event> listener) {
    this.directory = directory;
    this.listener = listener;
  }

  /** The active set, if one was ever loaded. */
  public Optional<PolicySet> active() {
    return Optional.ofNullable(active.get());
  }

  /** The last rejection or read failure, if the newest content is not active. */
  public Optional<String> lastProblem() {
    return Optional.ofNullable(lastProblem);
  }

  /** Where policies are read from. */
  public PolicyDirectory directory() {
    return directory;
  }

  /** Reads the directory and loads it when its content hash changed. */
  public synchronized Outcome poll() {
    List<PolicyFile> files;
    try {
      files = directory.read();
    } catch (IOException | RuntimeException e) {
      String detail = directory.describe() + ": " + e.getMessage();
      if (!detail.equals(lastProblem)) {
        lastProblem = detail;
        listener.accept(new Event(Outcome.UNREADABLE, null, detail));
      }
      return Outcome.UNREADABLE;
    }
    String version = PolicyLoader.version(files);
    if (version.equals(lastSeenVersion)) {
      return Outcome.UNCHANGED;
    }
    lastSeenVersion = version;
    try {
      PolicySet set = PolicyLoader.load(directory.describe(), files);
      active.set(set);
      lastProblem = null;
      listener.accept(
          new Event(
              Outcome.LOADED,
              version,
              set.rules().size()
                  + " admission rule(s), detection from "
                  + set.detection().source()
                  + " ("
                  + set.detection().rules().values().stream().filter(r -> r.enabled()).count()
                  + " rule(s) enabled)"));
      return Outcome.LOADED;
    } catch (PolicyLoadException e) {
      lastProblem = e.getMessage();
      listener.accept(new Event(Outcome.REJECTED, version, e.getMessage()));
      return Outcome.REJECTED;
    } catch (RuntimeException e) {
      lastProblem = directory.describe() + ": unexpected error while loading: " + e;
      listener.accept(new Event(Outcome.REJECTED, version, lastProblem));
      return Outcome.REJECTED;
    }
  }
}
