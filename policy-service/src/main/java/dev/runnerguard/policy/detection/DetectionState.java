package dev.runnerguard.policy.detection;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Every runner's {@link RunnerState}, with the keys changed since the last {@link #drainChanges()}:
 * the service writes those to the compacted state topic (a removed key as a tombstone). Not
 * thread-safe: used under the detection lock.
 */
public final class DetectionState {
  private final Map<String, RunnerState> runners = new HashMap<>();
  private final Set<String> changed = new LinkedHashSet<>();

  /** The runner's state, created when absent (not marked changed until {@link #touch}). */
  public RunnerState get(String runnerId) {
    return runners.computeIfAbsent(runnerId, RunnerState::new);
  }

  /** The runner's state, if there is one. */
  public Optional<RunnerState> peek(String runnerId) {
    return Optional.ofNullable(runners.get(runnerId));
  }

  /** Marks a state changed. */
  public void touch(RunnerState s, long now) {
    s.updatedAt = now;
    changed.add(s.runnerId);
  }

  /** Replaces a state read back from the state topic (no change recorded). */
  public void restore(RunnerState s) {
    runners.put(s.runnerId, s);
  }

  /** Forgets a state read back as a tombstone (no change recorded). */
  public void forget(String runnerId) {
    runners.remove(runnerId);
  }

  /** Removes a state and records the removal (a tombstone). */
  public void remove(String runnerId) {
    if (runners.remove(runnerId) != null) {
      changed.add(runnerId);
    }
  }

  /** Every state. */
  public Collection<RunnerState> all() {
    return runners.values();
  }

  /** Number of runners known. */
  public int size() {
    return runners.size();
  }

  /** The keys changed since the last call, each with its state (empty for a removal). */
  public List<Map.Entry<String, Optional<RunnerState>>> drainChanges() {
    List<Map.Entry<String, Optional<RunnerState>>> out = new ArrayList<>();
    for (String id : changed) {
      out.add(Map.entry(id, Optional.ofNullable(runners.get(id))));
    }
    changed.clear();
    return out;
  }

  /** True when something changed since the last drain. */
  public boolean hasChanges() {
    return !changed.isEmpty();
  }
}
