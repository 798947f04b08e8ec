package dev.runnerguard.orchestrator.state;

import static dev.runnerguard.orchestrator.state.Inputs.admit;
import static dev.runnerguard.orchestrator.state.Inputs.command;
import static dev.runnerguard.orchestrator.state.Inputs.completed;
import static dev.runnerguard.orchestrator.state.Inputs.deny;
import static dev.runnerguard.orchestrator.state.Inputs.failed;
import static dev.runnerguard.orchestrator.state.Inputs.inProgress;
import static dev.runnerguard.orchestrator.state.Inputs.provider;
import static org.assertj.core.api.Assertions.assertThat;

import dev.runnerguard.schemas.avro.CommandType;
import dev.runnerguard.schemas.avro.ProviderEventKind;
import dev.runnerguard.schemas.avro.RunnerInput;
import dev.runnerguard.schemas.avro.RunnerRecord;
import dev.runnerguard.schemas.avro.RunnerState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The lifecycle as tables of event sequences: each row feeds inputs (and clock ticks) to one runner
 * and states the transitions, the actions and the final state, including duplicates and every
 * out-of-order case.
 */
class RunnerStateMachineTest {
  static final String R = "rg-100-1";
  static final Settings SETTINGS =
      new Settings(
          Duration.ofSeconds(60),
          3,
          Duration.ofSeconds(1),
          Duration.ofSeconds(8),
          Duration.ofSeconds(60),
          Duration.ofSeconds(300),
          Duration.ofSeconds(120),
          Duration.ofSeconds(30),
          Duration.ofSeconds(60),
          Duration.ofSeconds(60),
          Duration.ofSeconds(3600),
          Duration.ofHours(6));

  /** One step: an input at a time (ms since start), or a tick when input is null. */
  record Step(long at, RunnerInput input) {
    static Step at(long at, RunnerInput input) {
      return new Step(at, input);
    }

    static Step tick(long at) {
      return new Step(at, null);
    }
  }

  /** What running the steps produced. */
  record Run(
      RunnerRecord record,
      List<RunnerState> transitions,
      List<Action.Type> actions,
      List<Emission> emissions,
      boolean deleted) {}

  static Run run(Step... steps) {
    RunnerStateMachine m = new RunnerStateMachine(SETTINGS);
    RunnerRecord r = null;
    List<RunnerState> transitions = new ArrayList<>();
    List<Action.Type> actions = new ArrayList<>();
    List<Emission> emissions = new ArrayList<>();
    boolean deleted = false;
    for (Step s : steps) {
      Result result =
          s.input() == null
              ? (r == null ? null : m.tick(r, s.at()))
              : m.apply(r, s.input(), s.at());
      if (result == null) {
        continue;
      }
      result.changes().forEach(c -> transitions.add(c.to()));
      result.actions().forEach(a -> actions.add(a.type()));
      emissions.addAll(result.emissions());
      if (result.delete()) {
        deleted = true;
        r = null;
      } else if (result.changed()) {
        r = result.record();
      }
    }
    return new Run(r, transitions, actions, emissions, deleted);
  }

  static List<RunnerState> states(RunnerState... s) {
    return Arrays.asList(s);
  }

  static List<Action.Type> actions(Action.Type... a) {
    return Arrays.asList(a);
  }

  static final RunnerState REQ = RunnerState.REQUESTED;
  static final RunnerState PROV = RunnerState.PROVISIONING;
  static final RunnerState START = RunnerState.STARTING;
  static final RunnerState IDLE = RunnerState.IDLE;
  static final RunnerState BUSY = RunnerState.BUSY;
  static final RunnerState DONE = RunnerState.COMPLETED;
  static final RunnerState GONE = RunnerState.DESTROYED;
  static final RunnerState QUAR = RunnerState.QUARANTINED;
  static final RunnerState EVID = RunnerState.EVIDENCE_CAPTURED;

  static final Action.Type PROVISION = Action.Type.PROVISION;
  static final Action.Type DESTROY = Action.Type.DESTROY;
  static final Action.Type QUARANTINE = Action.Type.QUARANTINE;

  static Stream<Arguments> sequences() {
    return Stream.of(
        Arguments.of(
            "happy path",
            List.of(
                Step.at(0, admit(100)),
                Step.at(10, provider(R, ProviderEventKind.PROVISIONED)),
                Step.at(11, provider(R, ProviderEventKind.RUNNING)),
                Step.at(500, inProgress(100, R)),
                Step.at(900, completed(100, R)),
                Step.at(950, provider(R, ProviderEventKind.DESTROYED))),
            states(REQ, PROV, START, IDLE, BUSY, DONE, GONE),
            actions(PROVISION, DESTROY),
            GONE),
        Arguments.of(
            "every input delivered twice",
            List.of(
                Step.at(0, admit(100)),
                Step.at(1, admit(100)),
                Step.at(10, provider(R, ProviderEventKind.PROVISIONED)),
                Step.at(11, provider(R, ProviderEventKind.RUNNING)),
                Step.at(12, provider(R, ProviderEventKind.RUNNING)),
                Step.at(500, inProgress(100, R)),
                Step.at(501, inProgress(100, R)),
                Step.at(900, completed(100, R)),
                Step.at(901, completed(100, R)),
                Step.at(950, provider(R, ProviderEventKind.DESTROYED)),
                Step.at(951, provider(R, ProviderEventKind.DESTROYED))),
            states(REQ, PROV, START, IDLE, BUSY, DONE, GONE),
            actions(PROVISION, DESTROY),
            GONE),
        Arguments.of(
            "in_progress before the provider reported back",
            List.of(
                Step.at(0, admit(100)),
                Step.at(5, inProgress(100, R)),
                Step.at(10, provider(R, ProviderEventKind.PROVISIONED)),
                Step.at(11, provider(R, ProviderEventKind.RUNNING)),
                Step.at(900, completed(100, R))),
            states(REQ, PROV, BUSY, DONE),
            actions(PROVISION, DESTROY),
            DONE),
        Arguments.of(
            "completed before in_progress: the late in_progress changes nothing",
            List.of(
                Step.at(0, admit(100)),
                Step.at(10, provider(R, ProviderEventKind.PROVISIONED)),
                Step.at(900, completed(100, R)),
                Step.at(901, inProgress(100, R))),
            states(REQ, PROV, START, DONE),
            actions(PROVISION, DESTROY),
            DONE),
        Arguments.of(
            "job cancelled while queued (completed without a runner)",
            List.of(
                Step.at(0, admit(100)),
                Step.at(10, provider(R, ProviderEventKind.PROVISIONED)),
                Step.at(11, provider(R, ProviderEventKind.RUNNING)),
                Step.at(900, completed(100, null))),
            states(REQ, PROV, START, IDLE, DONE),
            actions(PROVISION, DESTROY),
            DONE),
        Arguments.of(
            "a denied job gets no runner",
            List.of(Step.at(0, deny(100))),
            states(),
            actions(),
            null),
        Arguments.of(
            "in_progress, completed and commands for an unknown runner are ignored",
            List.of(
                Step.at(0, inProgress(100, R)),
                Step.at(1, completed(100, R)),
                Step.at(2, command(CommandType.QUARANTINE, R, "c1"))),
            states(),
            actions(),
            null),
        Arguments.of(
            "a runner that took a job is never given a second one",
            List.of(
                Step.at(0, admit(100)),
                Step.at(11, provider(R, ProviderEventKind.RUNNING)),
                Step.at(500, inProgress(100, R)),
                Step.at(600, inProgress(555, R)),
                Step.at(700, completed(555, R))),
            states(REQ, PROV, IDLE, BUSY),
            actions(PROVISION),
            BUSY),
        Arguments.of(
            "retriable provisioning failures back off, then succeed",
            List.of(
                Step.at(0, admit(100)),
                Step.at(10, failed(R, true)),
                Step.tick(500),
                Step.tick(1010),
                Step.at(1100, provider(R, ProviderEventKind.PROVISIONED))),
            states(REQ, PROV, PROV, PROV, START),
            actions(PROVISION, PROVISION),
            START),
        Arguments.of(
            "provisioning gives up after the attempts bound: FAILED and cleaned up",
            List.of(
                Step.at(0, admit(100)),
                Step.at(10, failed(R, true)),
                Step.tick(1010),
                Step.at(1020, failed(R, true)),
                Step.tick(3020),
                Step.at(3030, failed(R, true))),
            states(REQ, PROV, PROV, PROV, PROV, PROV, RunnerState.FAILED),
            actions(PROVISION, PROVISION, PROVISION, DESTROY),
            RunnerState.FAILED),
        Arguments.of(
            "a permanent provisioning failure fails at once",
            List.of(Step.at(0, admit(100)), Step.at(10, failed(R, false))),
            states(REQ, PROV, RunnerState.FAILED),
            actions(PROVISION, DESTROY),
            RunnerState.FAILED),
        Arguments.of(
            "a provisioning that never reports back is re-driven (the instance died)",
            List.of(Step.at(0, admit(100)), Step.tick(30_000), Step.tick(60_001)),
            states(REQ, PROV, PROV),
            actions(PROVISION, PROVISION),
            PROV),
        Arguments.of(
            "quarantine: network cut, evidence, destroyed; a repeated command changes nothing",
            List.of(
                Step.at(0, admit(100)),
                Step.at(11, provider(R, ProviderEventKind.RUNNING)),
                Step.at(500, inProgress(100, R)),
                Step.at(600, command(CommandType.QUARANTINE, R, "c1")),
                Step.at(601, command(CommandType.QUARANTINE, R, "c1")),
                Step.at(602, command(CommandType.QUARANTINE, R, "c2")),
                Step.at(
                    650,
                    provider(R, ProviderEventKind.QUARANTINE_STEP, Map.of("step", "network-cut"))),
                Step.at(
                    700,
                    provider(
                        R,
                        ProviderEventKind.QUARANTINE_STEP,
                        Map.of("step", "evidence-captured", "evidenceDir", "/e"))),
                Step.at(710, completed(100, R)),
                Step.at(720, command(CommandType.DESTROY, R, "c3")),
                Step.at(800, provider(R, ProviderEventKind.QUARANTINE_DONE))),
            states(REQ, PROV, IDLE, BUSY, QUAR, QUAR, EVID, GONE),
            actions(PROVISION, QUARANTINE),
            GONE),
        Arguments.of(
            "a quarantined runner is never released: destroyed reports and inventory do not end it",
            List.of(
                Step.at(0, admit(100)),
                Step.at(11, provider(R, ProviderEventKind.RUNNING)),
                Step.at(600, command(CommandType.QUARANTINE, R, "c1")),
                Step.at(610, provider(R, ProviderEventKind.DESTROYED)),
                Step.at(620, inProgress(100, R)),
                Step.at(630, provider(R, ProviderEventKind.INVENTORY))),
            states(REQ, PROV, IDLE, QUAR),
            actions(PROVISION, QUARANTINE),
            QUAR),
        Arguments.of(
            "a stuck quarantine is re-driven",
            List.of(
                Step.at(0, admit(100)),
                Step.at(11, provider(R, ProviderEventKind.RUNNING)),
                Step.at(600, command(CommandType.QUARANTINE, R, "c1")),
                Step.tick(60_601)),
            states(REQ, PROV, IDLE, QUAR, QUAR),
            actions(PROVISION, QUARANTINE, QUARANTINE),
            QUAR),
        Arguments.of(
            "a completed runner can still be quarantined (process survived its job)",
            List.of(
                Step.at(0, admit(100)),
                Step.at(11, provider(R, ProviderEventKind.RUNNING)),
                Step.at(500, inProgress(100, R)),
                Step.at(900, completed(100, R)),
                Step.at(950, command(CommandType.QUARANTINE, R, "c1"))),
            states(REQ, PROV, IDLE, BUSY, DONE, QUAR),
            actions(PROVISION, DESTROY, QUARANTINE),
            QUAR),
        Arguments.of(
            "resource vanished: LOST and deregistered",
            List.of(
                Step.at(0, admit(100)),
                Step.at(11, provider(R, ProviderEventKind.RUNNING)),
                Step.at(20, provider(R, ProviderEventKind.NOT_FOUND))),
            states(REQ, PROV, IDLE, RunnerState.LOST),
            actions(PROVISION, DESTROY),
            RunnerState.LOST),
        Arguments.of(
            "runner program exited without a job: LOST after the webhook grace",
            List.of(
                Step.at(0, admit(100)),
                Step.at(11, provider(R, ProviderEventKind.RUNNING)),
                Step.at(20, provider(R, ProviderEventKind.EXITED)),
                Step.tick(10_000),
                Step.tick(30_020)),
            states(REQ, PROV, IDLE, RunnerState.LOST),
            actions(PROVISION, DESTROY),
            RunnerState.LOST),
        Arguments.of(
            "webhooks later than the grace (their instance failed over): LOST corrected to"
                + " COMPLETED by the late in_progress, the late completed is a no-op",
            List.of(
                Step.at(0, admit(100)),
                Step.at(11, provider(R, ProviderEventKind.RUNNING)),
                Step.at(20, provider(R, ProviderEventKind.EXITED)),
                Step.tick(30_020),
                Step.at(45_000, inProgress(100, R)),
                Step.at(45_010, completed(100, R)),
                Step.at(45_100, provider(R, ProviderEventKind.DESTROYED))),
            states(REQ, PROV, IDLE, RunnerState.LOST, DONE, RunnerState.DESTROYED),
            actions(PROVISION, DESTROY, DESTROY),
            RunnerState.DESTROYED),
        Arguments.of(
            "only a late completed after LOST: corrected to COMPLETED the same way",
            List.of(
                Step.at(0, admit(100)),
                Step.at(11, provider(R, ProviderEventKind.RUNNING)),
                Step.at(20, provider(R, ProviderEventKind.EXITED)),
                Step.tick(30_020),
                Step.at(45_010, completed(100, R))),
            states(REQ, PROV, IDLE, RunnerState.LOST, DONE),
            actions(PROVISION, DESTROY, DESTROY),
            DONE),
        Arguments.of(
            "a LOST runner whose resource vanished is not revived by a completed for its job"
                + " that ran elsewhere",
            List.of(
                Step.at(0, admit(100)),
                Step.at(11, provider(R, ProviderEventKind.RUNNING)),
                Step.at(20, provider(R, ProviderEventKind.NOT_FOUND)),
                Step.at(300, completed(100, "rg-999-1"))),
            states(REQ, PROV, IDLE, RunnerState.LOST),
            actions(PROVISION, DESTROY),
            RunnerState.LOST),
        Arguments.of(
            "a fast job: the runner exits before its in_progress and completed arrive",
            List.of(
                Step.at(0, admit(100)),
                Step.at(11, provider(R, ProviderEventKind.RUNNING)),
                Step.at(20, provider(R, ProviderEventKind.EXITED)),
                Step.at(300, inProgress(100, R)),
                Step.at(310, completed(100, R)),
                Step.tick(30_020)),
            states(REQ, PROV, IDLE, BUSY, DONE),
            actions(PROVISION, DESTROY),
            DONE),
        Arguments.of(
            "a fast job whose in_progress never came: completed alone finishes it",
            List.of(
                Step.at(0, admit(100)),
                Step.at(11, provider(R, ProviderEventKind.RUNNING)),
                Step.at(20, provider(R, ProviderEventKind.EXITED)),
                Step.at(310, completed(100, R))),
            states(REQ, PROV, IDLE, DONE),
            actions(PROVISION, DESTROY),
            DONE),
        Arguments.of(
            "completed webhook never came: the job status is asked and finishes the runner",
            List.of(
                Step.at(0, admit(100)),
                Step.at(11, provider(R, ProviderEventKind.RUNNING)),
                Step.at(500, inProgress(100, R)),
                Step.at(900, provider(R, ProviderEventKind.EXITED)),
                Step.tick(30_900),
                Step.at(
                    31_000,
                    provider(
                        R,
                        ProviderEventKind.JOB_STATUS,
                        Map.of("status", "completed", "conclusion", "success")))),
            states(REQ, PROV, IDLE, BUSY, DONE),
            actions(PROVISION, Action.Type.CHECK_JOB, DESTROY),
            DONE),
        Arguments.of(
            "max duration exceeded: a signal, the run cancelled, the runner destroyed",
            List.of(
                Step.at(0, admit(100)),
                Step.at(11, provider(R, ProviderEventKind.RUNNING)),
                Step.at(500, inProgress(100, R)),
                Step.tick(120_500),
                Step.tick(6 * 3600_000L + 500)),
            states(REQ, PROV, IDLE, BUSY, DONE),
            actions(PROVISION, Action.Type.CHECK_JOB, Action.Type.CANCEL_AND_DESTROY),
            DONE),
        Arguments.of(
            "idle too long without a job: destroyed",
            List.of(
                Step.at(0, admit(100)),
                Step.at(11, provider(R, ProviderEventKind.RUNNING)),
                Step.tick(300_011)),
            states(REQ, PROV, IDLE, DONE),
            actions(PROVISION, DESTROY),
            DONE),
        Arguments.of(
            "created after it was no longer wanted: destroyed again",
            List.of(
                Step.at(0, admit(100)),
                Step.at(5, completed(100, null)),
                Step.at(10, provider(R, ProviderEventKind.PROVISIONED))),
            states(REQ, PROV, DONE),
            actions(PROVISION, DESTROY, DESTROY),
            DONE),
        Arguments.of(
            "terminal runners leave the store after their retention",
            List.of(Step.at(0, admit(100)), Step.at(10, failed(R, false)), Step.tick(3_600_011)),
            states(REQ, PROV, RunnerState.FAILED),
            actions(PROVISION, DESTROY),
            null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sequences")
  void sequence(
      String name,
      List<Step> steps,
      List<RunnerState> transitions,
      List<Action.Type> actions,
      RunnerState finalState) {
    Run run = run(steps.toArray(Step[]::new));

    assertThat(run.transitions()).as("transitions").isEqualTo(transitions);
    assertThat(run.actions()).as("actions").isEqualTo(actions);
    if (finalState == null) {
      assertThat(run.record()).as("record").isNull();
    } else {
      assertThat(run.record().getState()).as("final state").isEqualTo(finalState);
    }
  }

  @Test
  void aJobThatLandedOnAnotherRunnerOfItsClassIsBookkeeping() {
    RunnerStateMachine m = new RunnerStateMachine(SETTINGS);
    RunnerRecord a = m.apply(null, admit(100), 0).record();
    Result taken = m.apply(a, inProgress(200, "rg-100-1"), 50);

    assertThat(taken.record().getState()).isEqualTo(RunnerState.BUSY);
    assertThat(taken.record().getJobId()).isEqualTo(200L);
    assertThat(taken.emissions()).hasSize(1);
    Emission.JobTaken t = (Emission.JobTaken) taken.emissions().get(0);
    assertThat(t.targetRunnerId()).isEqualTo("rg-200-1");
    assertThat(t.takenBy()).isEqualTo("rg-100-1");

    RunnerRecord b = m.apply(null, admit(200), 0).record();
    Result same =
        m.apply(
            b,
            provider(
                "rg-200-1",
                ProviderEventKind.JOB_TAKEN,
                Map.of("takenBy", "rg-100-1", "takenByClass", "private-linux")),
            60);
    assertThat(same.emissions()).isEmpty();
    assertThat(same.record().getAttributes()).containsEntry("jobTakenBy", "rg-100-1");
  }

  @Test
  void aLateInProgressForAnotherJobOnALostRunnerRecordsTheJobAndTellsItsOwnRunner() {
    Run run =
        run(
            Step.at(0, admit(100)),
            Step.at(11, provider(R, ProviderEventKind.RUNNING)),
            Step.at(20, provider(R, ProviderEventKind.EXITED)),
            Step.tick(30_020),
            Step.at(45_000, inProgress(200, R)));

    assertThat(run.record().getState()).isEqualTo(RunnerState.COMPLETED);
    assertThat(run.record().getJobId()).isEqualTo(200L);
    assertThat(run.record().getAttributes()).containsEntry("provisionedForJob", "100");
    assertThat(run.emissions())
        .singleElement()
        .isInstanceOfSatisfying(
            Emission.JobTaken.class,
            t -> {
              assertThat(t.targetRunnerId()).isEqualTo("rg-200-1");
              assertThat(t.takenBy()).isEqualTo(R);
            });
  }

  @Test
  void aJobOnARunnerOfAnotherClassIsAFinding() {
    RunnerStateMachine m = new RunnerStateMachine(SETTINGS);
    RunnerRecord b = m.apply(null, admit(200), 0).record();
    Result other =
        m.apply(
            b,
            provider(
                "rg-200-1",
                ProviderEventKind.JOB_TAKEN,
                Map.of("takenBy", "rg-100-1", "takenByClass", "gpu")),
            60);

    assertThat(other.emissions()).hasSize(1);
    Emission.RaiseFinding f = (Emission.RaiseFinding) other.emissions().get(0);
    assertThat(f.ruleId()).isEqualTo("job-on-runner-of-other-class");
    assertThat(f.runnerId()).isEqualTo("rg-100-1");
    assertThat(f.description()).contains("private-linux").contains("gpu");
  }

  @Test
  void anOrphanSeenInTheInventoryIsDestroyed() {
    RunnerStateMachine m = new RunnerStateMachine(SETTINGS);
    Result orphan =
        m.apply(
            null,
            provider(
                "rg-9-1",
                ProviderEventKind.INVENTORY,
                Map.of("githubRunnerId", "7", "org", "octo-org")),
            0);

    assertThat(orphan.delete()).isTrue();
    assertThat(orphan.actions()).extracting(Action::type).containsExactly(Action.Type.DESTROY);
    assertThat(orphan.actions().get(0).runner().getAttributes())
        .containsEntry("githubRunnerId", "7");
  }

  @Test
  void maxDurationRaisesASignal() {
    Run run =
        run(
            Step.at(0, admit(100)),
            Step.at(11, provider(R, ProviderEventKind.RUNNING)),
            Step.at(500, inProgress(100, R)),
            Step.tick(6 * 3600_000L + 500));
    assertThat(run.emissions())
        .singleElement()
        .satisfies(
            e ->
                assertThat(((Emission.RaiseSignal) e).kind())
                    .isEqualTo("job.max-duration-exceeded"));
  }

  @Test
  void aRetryAfterFromTheTokenServiceLengthensTheBackoff() {
    RunnerStateMachine m = new RunnerStateMachine(SETTINGS);
    RunnerRecord r = m.apply(null, admit(100), 0).record();
    dev.runnerguard.schemas.avro.ProviderEvent e =
        Inputs.providerEvent(
            R, ProviderEventKind.PROVISION_FAILED, Map.of("retryAfterMillis", "45000"));
    e.setRetriable(true);
    RunnerRecord after = m.apply(r, Inputs.in(e), 10).record();
    assertThat(after.getNextCheckAt()).isEqualTo(10 + 45_000);
    assertThat(m.tick(after, 30_000).actions()).isEmpty();
    assertThat(m.tick(after, 45_010).actions())
        .extracting(Action::type)
        .containsExactly(Action.Type.PROVISION);
  }

  @Test
  void runnerNamesAreDeterministic() {
    assertThat(RunnerNames.runnerId(4_294_967_297L, 2)).isEqualTo("rg-4294967297-2");
    assertThat(RunnerNames.isPlatformName("rg-4294967297-2")).isTrue();
    assertThat(RunnerNames.isPlatformName("rg-abc-1")).isFalse();
    assertThat(RunnerNames.isPlatformName("my-runner")).isFalse();
    assertThat(RunnerNames.jobIdOf("rg-42-1")).hasValue(42L);
  }
}
