package dev.runnerguard.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

class DeliveryPublisherTest {
  @Test
  void producerSettingsStayLossFreeAndBoundedByTheAckTimeout() {
    Properties p = DeliveryPublisher.producerProperties("localhost:9092", 5_000);

    assertThat(p.get(ProducerConfig.ACKS_CONFIG)).isEqualTo("all");
    assertThat(p.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG)).isEqualTo(true);
    assertThat((Integer) p.get(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION))
        .isBetween(1, 5); // idempotence keeps order only up to 5
    assertThat(p.get(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG)).isEqualTo(5_000);
    assertThat((Integer) p.get(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG)).isLessThan(5_000);
    assertThat(p.get(ProducerConfig.MAX_BLOCK_MS_CONFIG)).isEqualTo(5_000);
  }
}
