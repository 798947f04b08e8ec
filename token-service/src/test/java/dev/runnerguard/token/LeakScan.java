package dev.runnerguard.token;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runnerguard.schemas.avro.CredentialAuditEvent;
import dev.runnerguard.schemas.serde.EventCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Helpers of the leak tests: secrets of a PEM, every Kafka record, the containment check. */
final class LeakScan {
  private LeakScan() {}

  /** The base64 body lines of a PEM key (each one a secret fragment). */
  static List<String> pemBodyLines(Path pem) throws Exception {
    List<String> out = new ArrayList<>();
    for (String line : Files.readString(pem).split("\n")) {
      if (!line.startsWith("-----") && line.trim().length() >= 40) {
        out.add(line.trim());
      }
    }
    return out;
  }

  /** Every record on every topic (as text), and the credential.audit events decoded. */
  record Records(List<String> texts, List<CredentialAuditEvent> audits) {}

  static Records allRecords(String bootstrap, Predicate<List<CredentialAuditEvent>> enough)
      throws Exception {
    List<String> texts = new ArrayList<>();
    List<CredentialAuditEvent> audits = new ArrayList<>();
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "leak-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    Set<String> topics;
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      topics = admin.listTopics().names().get();
    }
    EventCodec<CredentialAuditEvent> codec = EventCodec.of(CredentialAuditEvent.class);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(topics);
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> rec : consumer.poll(Duration.ofMillis(500))) {
          texts.add(
              "record "
                  + rec.topic()
                  + " "
                  + (rec.key() == null ? "" : new String(rec.key(), StandardCharsets.ISO_8859_1))
                  + " "
                  + new String(
                      rec.value() == null ? new byte[0] : rec.value(),
                      StandardCharsets.ISO_8859_1));
          if (rec.topic().equals("credential.audit")) {
            audits.add(codec.decode(rec.value()));
          }
        }
        if (enough.test(audits)) {
          break;
        }
      }
    }
    return new Records(texts, audits);
  }

  /** No secret appears in any haystack; failures name only the secret's first 4 characters. */
  static void assertNoSecretIn(List<String> secrets, List<String> haystacks) {
    for (String secret : secrets) {
      assertThat(secret).isNotBlank();
      for (String h : haystacks) {
        assertThat(h.contains(secret))
            .as(
                "a secret (%s...) leaked into %s",
                secret.substring(0, 4), h.substring(0, Math.min(30, h.length())))
            .isFalse();
      }
    }
  }
}
