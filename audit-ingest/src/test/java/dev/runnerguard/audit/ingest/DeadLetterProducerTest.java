package dev.runnerguard.audit.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The dead-letter producer's error policy. The broker is Kafka's own in-memory {@code MockProducer}
 * (no real broker can be made to fail a send on cue; the real send path is covered by {@code
 * AuditIngestIT}'s poison records).
 */
class DeadLetterProducerTest {
  private static final String DLT = "runner.lifecycle.dlt.audit-runner-lifecycle";

  private final MockProducer<String, byte[]> broker =
      new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer());
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final DeadLetterProducer producer =
      new DeadLetterProducer(broker, Duration.ofMillis(20), registry);

  private static ConsumerRecord<String, byte[]> poison() {
    ConsumerRecord<String, byte[]> r =
        new ConsumerRecord<>("runner.lifecycle", 2, 41L, "key-1", new byte[] {0, 1, 2});
    r.headers().add("traceparent", "00-abc".getBytes(StandardCharsets.UTF_8));
    return r;
  }

  @Test
  void aRetriableFailureIsRetriedUntilTheBrokerTakesTheRecord() throws Exception {
    CompletableFuture<Void> sent = sendAsync();
    awaitSends(1);
    assertThat(broker.errorNext(new NetworkException("broker gone"))).isTrue();
    awaitSends(2);
    assertThat(broker.errorNext(new NetworkException("still gone"))).isTrue();
    awaitSends(3);
    assertThat(sent).isNotDone();
    assertThat(broker.completeNext()).isTrue();
    sent.get();

    assertThat(registry.get("runnerguard.audit.dead_letters.retries").counter().count())
        .isEqualTo(2.0);
    ProducerRecord<String, byte[]> last = broker.history().get(2);
    assertThat(last.topic()).isEqualTo(DLT);
    assertThat(last.key()).isEqualTo("key-1");
    assertThat(last.value()).containsExactly(0, 1, 2);
    assertThat(header(last, "traceparent")).isEqualTo("00-abc");
    assertThat(header(last, "dead-letter-reason")).isEqualTo("not Avro");
    assertThat(header(last, "dead-letter-topic")).isEqualTo("runner.lifecycle");
    assertThat(header(last, "dead-letter-partition")).isEqualTo("2");
    assertThat(header(last, "dead-letter-offset")).isEqualTo("41");
  }

  @Test
  void aPermanentFailureIsThrownNotRetried() throws Exception {
    CompletableFuture<Void> sent = sendAsync();
    awaitSends(1);
    broker.errorNext(new RecordTooLargeException("too large"));

    assertThatThrownBy(sent::join).hasRootCauseInstanceOf(RecordTooLargeException.class);
    assertThat(broker.history()).hasSize(1);
    assertThat(registry.get("runnerguard.audit.dead_letters.retries").counter().count()).isZero();
  }

  /** Sends the poison record on another thread (send blocks until the broker answers). */
  private CompletableFuture<Void> sendAsync() {
    return CompletableFuture.runAsync(
        () -> {
          try {
            producer.send(DLT, poison(), "not Avro");
          } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
        });
  }

  private void awaitSends(int n) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (broker.history().size() < n) {
      assertThat(System.nanoTime()).as("send %d reached the broker", n).isLessThan(deadline);
      Thread.sleep(2);
    }
  }

  private static String header(ProducerRecord<String, byte[]> r, String key) {
    return new String(r.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
  }
}
