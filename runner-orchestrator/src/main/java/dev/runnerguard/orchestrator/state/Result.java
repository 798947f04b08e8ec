package dev.runnerguard.orchestrator.state;

import dev.runnerguard.schemas.avro.RunnerRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * What applying one input to one runner produced: the new record (or none: unchanged; or a
 * deletion), the lifecycle transitions, the side effects to perform and the emissions.
 */
public final class Result {
  private RunnerRecord record;
  private boolean changed;
  private boolean delete;
  private String ignoredBecause;
  private final List<Change> changes = new ArrayList<>();
  private final List<Action> actions = new ArrayList<>();
  private final List<Emission> emissions = new ArrayList<>();

  static Result unchanged(RunnerRecord record, String why) {
    Result r = new Result();
    r.record = record;
    r.ignoredBecause = why;
    return r;
  }

  static Result of(RunnerRecord record) {
    Result r = new Result();
    r.record = record;
    r.changed = true;
    return r;
  }

  static Result deletion(RunnerRecord record) {
    Result r = new Result();
    r.record = record;
    r.delete = true;
    return r;
  }

  Result change(Change c) {
    changes.add(c);
    return this;
  }

  Result action(Action a) {
    actions.add(a);
    return this;
  }

  Result emit(Emission e) {
    emissions.add(e);
    return this;
  }

  /** The record after the input (the same instance when unchanged); null when there is none. */
  public RunnerRecord record() {
    return record;
  }

  /** Whether the record must be written back. */
  public boolean changed() {
    return changed;
  }

  /** Whether the record must be removed from the store. */
  public boolean delete() {
    return delete;
  }

  /** Why the input changed nothing (a duplicate, out of order...), or null. */
  public String ignoredBecause() {
    return ignoredBecause;
  }

  public List<Change> changes() {
    return List.copyOf(changes);
  }

  public List<Action> actions() {
    return List.copyOf(actions);
  }

  public List<Emission> emissions() {
    return List.copyOf(emissions);
  }
}
