package dev.runnerguard.audit.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runnerguard.audit.Samples;
import dev.runnerguard.audit.ocsf.NormalisedEvent;
import dev.runnerguard.schemas.DeliveryReceipts;
import dev.runnerguard.schemas.Topics;
import dev.runnerguard.schemas.avro.AcceptedDelivery;
import dev.runnerguard.schemas.avro.DeliveryReceipt;
import dev.runnerguard.schemas.avro.ProviderEvent;
import dev.runnerguard.schemas.avro.ProviderEventKind;
import dev.runnerguard.schemas.serde.EventCodec;
import dev.runnerguard.schemas.serde.EventMetadataFactory;
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
      List<NormalisedEvent> all =
          PlatformIntake.normalise(Topics.RUNNER_PROVIDER_EVENT, record(encode(e)), notStored::add);
      if (kind == ProviderEventKind.INVENTORY || kind == ProviderEventKind.TICK) {
        assertThat(all).as(kind.name()).isEmpty();
      } else {
        assertThat(all).as(kind.name()).hasSize(1);
        NormalisedEvent n = all.get(0);
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
  void aBatchedReceiptIsOneEventPerDeliveryEachWithItsOwnIdAndTheRecordsPosition() {
    List<AcceptedDelivery> deliveries = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      deliveries.add(
          AcceptedDelivery.newBuilder()
              .setDeliveryId("delivery-" + i)
              .setEvent("workflow_job")
              .setAction("queued")
              .setTopic("github.workflow-job")
              .setPartition(i)
              .setOffset(100L + i)
              .build());
    }
    DeliveryReceipt receipt =
        DeliveryReceipts.of(new EventMetadataFactory("webhook-gateway", "t").create(), deliveries);
    ConsumerRecord<String, byte[]> r =
        new ConsumerRecord<>(
            "github.delivery",
            2,
            9L,
            "delivery-0",
            EventCodec.of(DeliveryReceipt.class).encode(receipt));

    List<NormalisedEvent> events = PlatformIntake.normalise(Topics.DELIVERY, r, kind -> {});

    assertThat(events).hasSize(3);
    assertThat(events)
        .extracting(NormalisedEvent::eventId)
        .containsExactly(
            receipt.getMetadata().getEventId(),
            receipt.getMetadata().getEventId() + "/1",
            receipt.getMetadata().getEventId() + "/2");
    for (int i = 0; i < 3; i++) {
      NormalisedEvent n = events.get(i);
      assertThat(n.position().topic()).isEqualTo("github.delivery");
      assertThat(n.position().partition()).isEqualTo(2);
      assertThat(n.position().offset()).isEqualTo(9L);
      String ocsf = new String(n.canonical(), StandardCharsets.UTF_8);
      assertThat(ocsf).contains("webhook delivery delivery-" + i + " accepted");
      assertThat(ocsf).contains("\"offset\":" + (100 + i));
    }
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
