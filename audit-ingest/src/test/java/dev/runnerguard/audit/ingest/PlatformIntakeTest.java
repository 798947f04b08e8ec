package dev.runnerguard.audit.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runnerguard.audit.Samples;
import dev.runnerguard.audit.ocsf.NormalisedEvent;
import dev.runnerguard.schemas.Topics;
import dev.runnerguard.schemas.avro.ProviderEvent;
import dev.runnerguard.schemas.avro.ProviderEventKind;
import dev.runnerguard.schemas.serde.EventCodec;
import dev.runnerguard.schemas.serde.UndecodableRecordException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** Decoding and normalising one record of runner.provider-event, as the platform channel does. */
class PlatformIntakeTest {

  private final Samples samples = new Samples("r-1", 42L);

  private static ConsumerRecord<String, byte[]> record(byte[] value) {
    return new ConsumerRecord<>(Topics.RUNNER_PROVIDER_EVENT.topicName(), 4, 17L, "r-1", value);
  }

  private static byte[] encode(ProviderEvent e) {
    return EventCodec.of(ProviderEvent.class).encode(e);
  }

  @Test
  void providerEventsAreDecodedAndNormalisedExceptThePeriodicKindsWhichAreOnlyReported() {
    List<String> notStored = new ArrayList<>();
    for (ProviderEventKind kind : ProviderEventKind.values()) {
      ProviderEvent e = samples.providerEvent(kind);
      NormalisedEvent n =
          PlatformIntake.normalise(Topics.RUNNER_PROVIDER_EVENT, record(encode(e)), notStored::add);
      if (kind == ProviderEventKind.INVENTORY || kind == ProviderEventKind.TICK) {
        assertThat(n).as(kind.name()).isNull();
      } else {
        assertThat(n).as(kind.name()).isNotNull();
        assertThat(n.classUid()).isEqualTo(3004);
        assertThat(n.eventId()).isEqualTo(e.getMetadata().getEventId());
        assertThat(n.position().topic()).isEqualTo("runner.provider-event");
        assertThat(n.position().partition()).isEqualTo(4);
        assertThat(n.position().offset()).isEqualTo(17L);
        assertThat(n.runnerId()).isEqualTo("r-1");
      }
    }
    assertThat(notStored).containsExactly("INVENTORY", "TICK");
  }

  @Test
  void aPoisonProviderEventIsUndecodableSoItIsDeadLettered() {
    assertThatThrownBy(
            () ->
                PlatformIntake.normalise(
                    Topics.RUNNER_PROVIDER_EVENT,
                    record("not avro".getBytes(StandardCharsets.UTF_8)),
                    kind -> {}))
        .isInstanceOf(UndecodableRecordException.class);
    assertThat(PlatformIntake.channelOf("runner.provider-event").deadLetterTopic())
        .isEqualTo("runner.provider-event.dlt.audit-runner-provider-event");
  }
}
