package dev.runnerguard.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runnerguard.schemas.avro.EventMetadata;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EventMetadataFactoryTest {

  private final Clock clock =
      Clock.fixed(Instant.parse("2025-05-01T10:15:30.123456789Z"), ZoneOffset.UTC);
  private final EventMetadataFactory factory =
      new EventMetadataFactory("webhook-gateway", "0.1.0", clock);

  @Test
  void fillsIdTimeAndProducer() {
    EventMetadata m = factory.create();

    assertThat(UUID.fromString(m.getEventId())).isNotNull();
    assertThat(m.getTime()).isEqualTo(Instant.parse("2025-05-01T10:15:30.123Z"));
    assertThat(m.getProducer().getService()).isEqualTo("webhook-gateway");
    assertThat(m.getProducer().getVersion()).isEqualTo("0.1.0");
    assertThat(m.getTrace().getTraceparent()).isNull();
    assertThat(m.getCorrelation().getJobId()).isNull();
    assertThat(factory.create().getEventId()).isNotEqualTo(m.getEventId());
  }

  @Test
  void carriesTraceAndCorrelation() {
    EventMetadata m =
        factory.create(
            EventMetadataFactory.trace("00-abc-def-01", "k=v"),
            EventMetadataFactory.correlation("delivery-1", 1L, 2L, "runner-1"));

    assertThat(m.getTrace().getTraceparent()).isEqualTo("00-abc-def-01");
    assertThat(m.getTrace().getTracestate()).isEqualTo("k=v");
    assertThat(m.getCorrelation().getDeliveryId()).isEqualTo("delivery-1");
    assertThat(m.getCorrelation().getJobId()).isEqualTo(1L);
    assertThat(m.getCorrelation().getRunId()).isEqualTo(2L);
    assertThat(m.getCorrelation().getRunnerId()).isEqualTo("runner-1");
  }
}
