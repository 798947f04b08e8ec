package dev.runnerguard.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runnerguard.schemas.avro.AcceptedDelivery;
import dev.runnerguard.schemas.avro.DeliveryReceipt;
import dev.runnerguard.schemas.avro.EventMetadata;
import dev.runnerguard.schemas.serde.EventCodec;
import dev.runnerguard.schemas.serde.EventMetadataFactory;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.api.Test;

class DeliveryReceiptsTest {

  private final EventMetadataFactory factory = new EventMetadataFactory("webhook-gateway", "test");

  private static AcceptedDelivery delivery(int i) {
    return AcceptedDelivery.newBuilder()
        .setDeliveryId("id-" + i)
        .setEvent(i % 3 == 0 ? "ping" : "workflow_job")
        .setAction(i % 3 == 0 ? null : "queued")
        .setTopic(i % 3 == 0 ? null : "github.workflow-job")
        .setPartition(i % 3 == 0 ? null : i % 12)
        .setOffset(i % 3 == 0 ? null : 1000L + i)
        .build();
  }

  private static List<AcceptedDelivery> deliveries(int n) {
    List<AcceptedDelivery> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      all.add(delivery(i));
    }
    return all;
  }

  @Test
  void aBatchComesBackAsOneReceiptPerDeliveryInOrderWithUniqueStableEventIds() {
    EventMetadata m = factory.create(EventMetadataFactory.correlation("id-0", null, null, null));
    DeliveryReceipt batch = DeliveryReceipts.of(m, deliveries(5));
    assertThat(DeliveryReceipts.count(batch)).isEqualTo(5);

    // through the codec, as a reader sees it
    EventCodec<DeliveryReceipt> codec = EventCodec.of(DeliveryReceipt.class);
    DeliveryReceipt read = codec.decode(codec.encode(batch));
    List<DeliveryReceipt> each = DeliveryReceipts.each(read);

    assertThat(each).hasSize(5);
    Set<String> eventIds = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      DeliveryReceipt r = each.get(i);
      AcceptedDelivery d = delivery(i);
      assertThat(r.getDeliveryId()).isEqualTo(d.getDeliveryId());
      assertThat(r.getEvent()).isEqualTo(d.getEvent());
      assertThat(r.getAction()).isEqualTo(d.getAction());
      assertThat(r.getTopic()).isEqualTo(d.getTopic());
      assertThat(r.getPartition()).isEqualTo(d.getPartition());
      assertThat(r.getOffset()).isEqualTo(d.getOffset());
      assertThat(r.getMore()).isEmpty();
      assertThat(r.getMetadata().getCorrelation().getDeliveryId()).isEqualTo(d.getDeliveryId());
      assertThat(r.getMetadata().getTime()).isEqualTo(m.getTime());
      assertThat(r.getMetadata().getProducer()).isEqualTo(m.getProducer());
      eventIds.add(r.getMetadata().getEventId());
    }
    assertThat(eventIds).hasSize(5);
    assertThat(each.get(0).getMetadata().getEventId()).isEqualTo(m.getEventId());
    assertThat(each.get(3).getMetadata().getEventId()).isEqualTo(m.getEventId() + "/3");
    // the same on a second read
    assertThat(DeliveryReceipts.each(codec.decode(codec.encode(batch)))).isEqualTo(each);
    // the batch's own metadata is untouched
    assertThat(read.getMetadata().getCorrelation().getDeliveryId()).isEqualTo("id-0");
  }

  @Test
  void aSingleReceiptIsItself() {
    DeliveryReceipt one = DeliveryReceipts.of(factory.create(), deliveries(1));
    assertThat(DeliveryReceipts.each(one)).containsExactly(one);
    assertThat(DeliveryReceipts.count(one)).isEqualTo(1);
  }

  @Test
  void aBatchHoldsOneToTheMaximum() {
    assertThat(DeliveryReceipts.count(DeliveryReceipts.of(factory.create(), deliveries(1000))))
        .isEqualTo(DeliveryReceipts.MAX_PER_RECORD);
    assertThatThrownBy(() -> DeliveryReceipts.of(factory.create(), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1 to 1000");
    assertThatThrownBy(() -> DeliveryReceipts.of(factory.create(), deliveries(1001)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not 1001");
  }

  @Test
  void aRecordWrittenOnePerDeliveryByTheReleasedV1SchemaReadsAsOneDelivery() throws Exception {
    Schema v1;
    try (InputStream in = getClass().getResourceAsStream("/released/DeliveryReceipt/v1.avsc")) {
      v1 = new Schema.Parser().parse(in);
    }
    assertThat(v1.getField("more")).isNull();
    // written by position with the v1 schema: its seven fields are the first seven of today's
    DeliveryReceipt old =
        DeliveryReceipt.newBuilder()
            .setMetadata(factory.create())
            .setDeliveryId("old-id")
            .setEvent("workflow_job")
            .setAction("completed")
            .setTopic("github.workflow-job")
            .setPartition(4)
            .setOffset(7L)
            .build();
    byte[] bytes =
        new BinaryMessageEncoder<DeliveryReceipt>(
                SpecificData.getForClass(DeliveryReceipt.class), v1)
            .encode(old)
            .array();
    assertThat(bytes).isNotEqualTo(EventCodec.of(DeliveryReceipt.class).encode(old));

    DeliveryReceipt read = EventCodec.of(DeliveryReceipt.class).decode(bytes);

    assertThat(read.getMore()).isEmpty();
    assertThat(DeliveryReceipts.each(read))
        .singleElement()
        .satisfies(r -> assertThat(r.getDeliveryId()).isEqualTo("old-id"));
  }
}
