package dev.runnerguard.orchestrator.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runnerguard.orchestrator.state.Inputs;
import dev.runnerguard.orchestrator.state.RunnerStateMachine;
import dev.runnerguard.orchestrator.state.Settings;
import dev.runnerguard.schemas.avro.RunnerRecord;
import dev.runnerguard.schemas.avro.RunnerState;
import dev.runnerguard.schemas.serde.EventCodec;
import dev.runnerguard.schemas.serde.UndecodableRecordException;
import org.junit.jupiter.api.Test;

/** The read model's store: runners kept as changelog bytes, decoded on read, counted by state. */
class RunnerIndexTest {
  private final EventCodec<RunnerRecord> codec = EventCodec.of(RunnerRecord.class);
  private final RunnerIndex index = new RunnerIndex(codec);

  private static RunnerRecord admitted(long job) {
    return new RunnerStateMachine(Settings.defaults()).apply(null, Inputs.admit(job), 0).record();
  }

  private void put(RunnerRecord r) {
    index.put(r.getRunnerId(), "changelog", 0, 0, codec.encode(r));
  }

  @Test
  void decodesWhatWasStoredAndCountsByState() {
    RunnerRecord a = admitted(1);
    RunnerRecord b = admitted(2);
    RunnerRecord c = admitted(3);
    c.setState(RunnerState.IDLE);
    put(a);
    put(b);
    put(c);

    assertThat(index.size()).isEqualTo(3);
    assertThat(index.get(a.getRunnerId())).contains(a);
    assertThat(index.all()).containsExactlyInAnyOrder(a, b, c);
    assertThat(index.count(a.getState())).isEqualTo(2);
    assertThat(index.count(RunnerState.IDLE)).isEqualTo(1);
    assertThat(index.count(RunnerState.DESTROYED)).isZero();
  }

  @Test
  void aNewerValueReplacesTheRunnerAndATombstoneRemovesIt() {
    RunnerRecord a = admitted(1);
    put(a);
    RunnerRecord idle = RunnerRecord.newBuilder(a).setState(RunnerState.IDLE).build();
    put(idle);

    assertThat(index.get(a.getRunnerId())).contains(idle);
    assertThat(index.count(RunnerState.IDLE)).isEqualTo(1);
    assertThat(index.count(a.getState())).isZero();

    index.remove(a.getRunnerId());
    assertThat(index.get(a.getRunnerId())).isEmpty();
    assertThat(index.count(RunnerState.IDLE)).isZero();
  }

  @Test
  void anUnreadableValueIsRefusedAndKeepsTheOldOne() {
    RunnerRecord a = admitted(1);
    put(a);

    assertThatThrownBy(() -> index.put(a.getRunnerId(), "changelog", 0, 1, new byte[] {1, 2, 3}))
        .isInstanceOf(UndecodableRecordException.class);
    assertThat(index.get(a.getRunnerId())).contains(a);
  }
}
