package dev.runnerguard.audit.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runnerguard.audit.ocsf.DeadLetterNormaliser;
import dev.runnerguard.audit.ocsf.DetectionFindingNormaliser;
import dev.runnerguard.audit.ocsf.NormalisedEvent;
import dev.runnerguard.audit.ocsf.OcsfNormalisers;
import dev.runnerguard.audit.ocsf.SourcePosition;
import dev.runnerguard.audit.store.ChainWriter;
import dev.runnerguard.schemas.ConsumingChannel;
import dev.runnerguard.schemas.Schemas;
import dev.runnerguard.schemas.Topics;
import dev.runnerguard.schemas.serde.EventCodec;
import dev.runnerguard.schemas.serde.UndecodableRecordException;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes every platform topic (one batch channel per topic, {@code audit-<topic>}, see {@link
 * ConsumingChannel}) and every dead-letter topic (pattern channel {@code audit-dead-letters}),
 * normalises each record to OCSF and appends the batch to the chain in one transaction.
 *
 * <p>A record that cannot be decoded (or normalised, or stored for a permanent reason) is a poison
 * record: it goes to its channel's dead-letter topic ({@code <topic>.dlt.<channel>}) and the rest
 * of the batch is stored; the batch's offsets are committed after both. Storage outages are retried
 * (the channel stalls) — a valid event is never dead-lettered because PostgreSQL was down. All
 * channels share the worker pool {@code audit-store} (three threads, each channel in order). A
 * batch is normalised and handed to the {@link ChainWriter} in chunks of {@value #CHUNK} records,
 * so one chunk is normalised while the previous one is appended; the method returns (and the
 * batch's offsets can be committed) only when every chunk is stored.
 */
@ApplicationScoped
public class PlatformIntake {
  private static final Logger LOG = Logger.getLogger(PlatformIntake.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ChainWriter writer;
  private final DeadLetterProducer deadLetters;
  private final MeterRegistry registry;

  public PlatformIntake(
      ChainWriter writer, DeadLetterProducer deadLetters, MeterRegistry registry) {
    this.writer = writer;
    this.deadLetters = deadLetters;
    this.registry = registry;
  }

  @Incoming("audit-workflow-job")
  @Blocking("audit-store")
  public void workflowJob(ConsumerRecords<String, byte[]> records) throws Exception {
    ingest(ConsumingChannel.AUDIT_WORKFLOW_JOB, records);
  }

  @Incoming("audit-delivery")
  @Blocking("audit-store")
  public void delivery(ConsumerRecords<String, byte[]> records) throws Exception {
    ingest(ConsumingChannel.AUDIT_DELIVERY, records);
  }

  @Incoming("audit-workflow-run")
  @Blocking("audit-store")
  public void workflowRun(ConsumerRecords<String, byte[]> records) throws Exception {
    ingest(ConsumingChannel.AUDIT_WORKFLOW_RUN, records);
  }

  @Incoming("audit-installation")
  @Blocking("audit-store")
  public void installation(ConsumerRecords<String, byte[]> records) throws Exception {
    ingest(ConsumingChannel.AUDIT_INSTALLATION, records);
  }

  @Incoming("audit-runner-admission")
  @Blocking("audit-store")
  public void admission(ConsumerRecords<String, byte[]> records) throws Exception {
    ingest(ConsumingChannel.AUDIT_RUNNER_ADMISSION, records);
  }

  @Incoming("audit-runner-lifecycle")
  @Blocking("audit-store")
  public void lifecycle(ConsumerRecords<String, byte[]> records) throws Exception {
    ingest(ConsumingChannel.AUDIT_RUNNER_LIFECYCLE, records);
  }

  @Incoming("audit-runner-signal")
  @Blocking("audit-store")
  public void signal(ConsumerRecords<String, byte[]> records) throws Exception {
    ingest(ConsumingChannel.AUDIT_RUNNER_SIGNAL, records);
  }

  @Incoming("audit-runner-finding")
  @Blocking("audit-store")
  public void finding(ConsumerRecords<String, byte[]> records) throws Exception {
    ingest(ConsumingChannel.AUDIT_RUNNER_FINDING, records);
  }

  @Incoming("audit-runner-command")
  @Blocking("audit-store")
  public void command(ConsumerRecords<String, byte[]> records) throws Exception {
    ingest(ConsumingChannel.AUDIT_RUNNER_COMMAND, records);
  }

  @Incoming("audit-credential-audit")
  @Blocking("audit-store")
  public void credential(ConsumerRecords<String, byte[]> records) throws Exception {
    ingest(ConsumingChannel.AUDIT_CREDENTIAL_AUDIT, records);
  }

  @Incoming("audit-falco-events")
  @Blocking("audit-store")
  public void falco(ConsumerRecords<String, byte[]> records) throws Exception {
    ingest(ConsumingChannel.AUDIT_FALCO_EVENTS, records);
  }

  /**
   * Every dead-letter topic ({@code .*\.dlt\..*}): stored undecoded as OCSF Base Events flagged
   * dead-lettered. Nothing here decodes, so the only failures are storage failures, retried.
   */
  @Incoming("audit-dead-letters")
  @Blocking("audit-store")
  public void deadLetters(ConsumerRecords<String, byte[]> records) throws Exception {
    List<NormalisedEvent> events = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> r : records) {
      Map<String, String> headers = new HashMap<>();
      for (Header h : r.headers()) {
        if (h.value() != null) {
          headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
        }
      }
      events.add(
          DeadLetterNormaliser.normalise(
              new SourcePosition(r.topic(), r.partition(), r.offset()),
              r.key(),
              r.value(),
              headers,
              Instant.ofEpochMilli(Math.max(0, r.timestamp()))));
    }
    ChainWriter.Outcome o = writer.write(events);
    registry.counter("runnerguard.audit.dead_letters.stored").increment(o.stored());
    if (!o.rejected().isEmpty()) {
      throw new IllegalStateException(
          o.rejected().size() + " dead letters cannot be stored (permanent storage failure)");
    }
  }

  /**
   * Records per append: a batch from Kafka is normalised and appended in chunks of this size, so
   * the next chunk is decoded, normalised and prepared here while the previous one is in PostgreSQL
   * (on the appender thread). Each chunk is its own transaction. 1,000 rather than 500: the fixed
   * cost of a chunk (lock, commit, PostgreSQL waiting for the first rows) left PostgreSQL idle a
   * quarter of the time; the benchmark went from 20,303 to 22,730 events/s (BENCHMARKS.md).
   */
  static final int CHUNK = 1000;

  /**
   * Chunks of one batch queued for the appender at most; preparing another waits for the oldest.
   */
  static final int DEPTH = 2;

  void ingest(ConsumingChannel channel, ConsumerRecords<String, byte[]> records) throws Exception {
    List<CompletableFuture<ChainWriter.Outcome>> appends = new ArrayList<>();
    List<NormalisedEvent> chunk = new ArrayList<>(Math.min(CHUNK, records.count()));
    try {
      for (ConsumerRecord<String, byte[]> r : records) {
        try {
          chunk.add(normalise(channel.topic(), r));
        } catch (UndecodableRecordException | IllegalArgumentException e) {
          deadLetter(channel, r, e.getMessage());
        }
        if (chunk.size() == CHUNK) {
          if (appends.size() >= DEPTH) {
            // enough queued to keep the appender busy: wait rather than hold more rows in memory
            // (a failed chunk stops the batch here: nothing more is submitted)
            ChainWriter.await(appends.get(appends.size() - DEPTH));
          }
          appends.add(writer.submit(chunk));
          chunk = new ArrayList<>(CHUNK);
        }
      }
      if (!chunk.isEmpty()) {
        appends.add(writer.submit(chunk));
      }
    } finally {
      // the batch's offsets are committed only after this returns: never leave a chunk in flight
      // (should anything above fail, the chunks already submitted are still stored first)
      for (CompletableFuture<ChainWriter.Outcome> f : appends) {
        try {
          f.join();
        } catch (RuntimeException ignored) {
          // reported below
        }
      }
    }
    for (CompletableFuture<ChainWriter.Outcome> f : appends) {
      for (NormalisedEvent rejected : ChainWriter.await(f).rejected()) {
        deadLetter(channel, source(records, rejected.position()), "permanent storage failure");
      }
    }
  }

  /** The record of a batch at a position (rare: only for events that cannot be stored). */
  private static ConsumerRecord<String, byte[]> source(
      ConsumerRecords<String, byte[]> records, SourcePosition pos) {
    for (ConsumerRecord<String, byte[]> r : records) {
      if (r.partition() == pos.partition()
          && r.offset() == pos.offset()
          && r.topic().equals(pos.topic())) {
        return r;
      }
    }
    throw new IllegalStateException("no record at " + pos + " in the batch");
  }

  /**
   * Decodes and normalises one record.
   *
   * @throws UndecodableRecordException for poison records
   * @throws IllegalArgumentException for records no normaliser can take
   */
  static NormalisedEvent normalise(Topics topic, ConsumerRecord<String, byte[]> r) {
    SourcePosition pos = new SourcePosition(r.topic(), r.partition(), r.offset());
    if (topic == Topics.FALCO_EVENTS) {
      JsonNode json;
      try {
        if (r.value() == null || r.value().length == 0) {
          throw new UndecodableRecordException(
              r.topic(), r.partition(), r.offset(), "empty value", null);
        }
        json = JSON.readTree(r.value());
      } catch (java.io.IOException e) {
        throw new UndecodableRecordException(
            r.topic(),
            r.partition(),
            r.offset(),
            "not JSON: " + e.getClass().getSimpleName(),
            null);
      }
      return DetectionFindingNormaliser.normaliseFalco(json, pos);
    }
    var type =
        Schemas.valueType(topic)
            .orElseThrow(() -> new IllegalArgumentException("no value type for " + topic));
    var record = EventCodec.of(type).decode(r.topic(), r.partition(), r.offset(), r.value());
    return OcsfNormalisers.normalise(record, pos);
  }

  private void deadLetter(ConsumingChannel channel, ConsumerRecord<String, byte[]> r, String why)
      throws Exception {
    LOG.warnf("dead-lettering poison record to %s: %s", channel.deadLetterTopic(), why);
    deadLetters.send(channel.deadLetterTopic(), r, why);
    registry
        .counter("runnerguard.audit.events.dead_lettered", "channel", channel.channel())
        .increment();
  }
}
