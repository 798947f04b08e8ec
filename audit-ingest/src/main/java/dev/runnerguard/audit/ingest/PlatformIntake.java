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
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordBatchMetadata;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes every platform topic (one batch channel, {@value #PLATFORM_CHANNEL}, for all of them;
 * each topic keeps its logical channel {@code audit-<topic>} in {@link ConsumingChannel} for its
 * dead-letter topic and metrics) and every dead-letter topic (pattern channel {@code
 * audit-dead-letters}), normalises each record to OCSF and appends the batch to the chain.
 *
 * <p>A record that cannot be decoded (or normalised, or stored for a permanent reason) is a poison
 * record: it goes to its topic's dead-letter topic ({@code <topic>.dlt.audit-<topic>}) and the rest
 * of the batch is stored; the batch's offsets are committed after both. Storage outages and a
 * broker that cannot take a dead letter are retried (the channel stalls) — a valid event is never
 * dead-lettered because PostgreSQL was down, and a poison record is never dropped.
 *
 * <p>A platform batch is split into {@value #LANES} lanes by partition, each normalised and handed
 * to the {@link ChainWriter} in chunks of {@value #CHUNK} records, so chunks are normalised while
 * earlier ones are appended; the next batch is taken as soon as this one is submitted and the one
 * before it stored ({@link #accept}), and a batch is acknowledged (its offsets can be committed)
 * only when every chunk of it is stored. The dead-letter channel runs on the worker pool {@code
 * audit-store}, its batches in order, and returns when its batch is stored.
 */
@ApplicationScoped
public class PlatformIntake {
  private static final Logger LOG = Logger.getLogger(PlatformIntake.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ChainWriter writer;
  private final DeadLetterProducer deadLetters;
  private final MeterRegistry registry;

  /** The SmallRye channel reading every platform topic. */
  public static final String PLATFORM_CHANNEL = "audit-platform";

  /** Prefix of audit-ingest's entries in {@link ConsumingChannel}. */
  static final String CHANNEL_PREFIX = "audit-";

  public PlatformIntake(
      ChainWriter writer, DeadLetterProducer deadLetters, MeterRegistry registry) {
    this.writer = writer;
    this.deadLetters = deadLetters;
    this.registry = registry;
  }

  /**
   * The one channel reading every platform topic ({@code topics} in application.properties: the
   * topics of the {@code audit-*} entries of {@link ConsumingChannel}). One consumer rather than
   * one per topic: eleven consumers each held up to two polled batches, a heartbeat thread and a
   * dead-letter producer, and on a loaded stack that took the service's peak RSS over 256 MiB
   * (BENCHMARKS.md, Memory). The chain is appended by one thread anyway.
   */
  @Incoming(PLATFORM_CHANNEL)
  public CompletionStage<Void> platform(KafkaRecordBatch<String, byte[]> batch) {
    @SuppressWarnings("unchecked")
    ConsumerRecords<String, byte[]> records =
        batch
            .getMetadata(IncomingKafkaRecordBatchMetadata.class)
            .map(m -> (ConsumerRecords<String, byte[]>) m.getRecords())
            .orElseThrow(() -> new IllegalStateException("a Kafka batch without its records"));
    return CompletableFuture.runAsync(() -> accept(batch, records), preparer);
  }

  /**
   * Takes one batch on the {@code audit-prepare} thread: prepares and submits every chunk, then
   * waits until the batch before it is stored and acknowledged, and returns — so SmallRye hands
   * over the next batch (it waits for the returned stage) while this one's chunks are still in
   * PostgreSQL: the next batch is prepared while this one is appended, at most two batches are in
   * flight, and batches are submitted to the one appender in the order they were polled (each
   * partition is chained in offset order). This batch is acknowledged (its offsets become
   * committable) by {@link #finish} only once every chunk is stored and every poison record is on
   * its dead-letter topic; on any other failure it is nacked ({@code failure-strategy=fail}:
   * nothing committed, health DOWN).
   */
  private void accept(
      KafkaRecordBatch<String, byte[]> batch, ConsumerRecords<String, byte[]> records) {
    CompletableFuture<Void> before = previous;
    Submitted submitted = submit(records);
    CompletableFuture<Void> done =
        CompletableFuture.allOf(submitted.appends().toArray(CompletableFuture[]::new))
            .handleAsync(
                (ignored, failure) -> {
                  finish(batch, records, submitted);
                  return null;
                },
                finisher);
    previous = done;
    before.join(); // finish never fails: it acks or nacks
  }

  /** The submitted chunks of a batch, and the failure that stopped its preparation, if any. */
  private record Submitted(
      List<CompletableFuture<ChainWriter.Outcome>> appends, Exception failure) {}

  /**
   * On the {@code audit-batch-done} thread, once every chunk of the batch is appended (or failed):
   * dead-letters the events that could not be stored for a permanent reason, then acks the batch;
   * nacks it if its preparation or an append failed otherwise.
   */
  private void finish(
      KafkaRecordBatch<String, byte[]> batch,
      ConsumerRecords<String, byte[]> records,
      Submitted submitted) {
    try {
      if (submitted.failure() != null) {
        throw submitted.failure();
      }
      // a batched receipt is several events of one record: dead-letter the record once
      Set<SourcePosition> deadLettered = new HashSet<>();
      for (CompletableFuture<ChainWriter.Outcome> f : submitted.appends()) {
        for (NormalisedEvent rejected : ChainWriter.await(f).rejected()) {
          if (!deadLettered.add(rejected.position())) {
            continue;
          }
          deadLetter(
              channelOf(rejected.position().topic()),
              source(records, rejected.position()),
              "permanent storage failure");
        }
      }
      batch.ack().toCompletableFuture().join();
    } catch (Exception | Error e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      LOG.errorf(e, "a batch of %d records failed; nothing of it is committed", records.count());
      batch.nack(e).toCompletableFuture().join();
    }
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

  /**
   * Lanes a batch is prepared in at once: its partitions are split into this many groups, each
   * decoded, normalised and prepared on its own thread (the calling worker and {@code
   * audit-prepare-lane}), each submitting its chunks to the appender in its own order, so every
   * partition's events are still chained in offset order. With one channel for every topic, one
   * preparing thread could not keep the appender busy (18,735 against 21,253 events/s with one
   * channel per topic, BENCHMARKS.md).
   */
  static final int LANES = 2;

  private final ExecutorService laneExecutor = daemonThreads(LANES - 1, "audit-prepare-lane");

  /** Takes the platform batches one after the other (see {@link #accept}). */
  private final ExecutorService preparer = daemonThreads(1, "audit-prepare");

  /** Acks (or nacks) a batch once it is stored; never waits for a batch behind it. */
  private final ExecutorService finisher = daemonThreads(1, "audit-batch-done");

  /**
   * The completion (ack or nack) of the last batch taken; read and written on {@link #preparer}.
   */
  private CompletableFuture<Void> previous = CompletableFuture.completedFuture(null);

  private static ExecutorService daemonThreads(int n, String name) {
    return Executors.newFixedThreadPool(
        n,
        r -> {
          Thread t = new Thread(r, name);
          t.setDaemon(true);
          return t;
        });
  }

  @PreDestroy
  void stop() {
    // batches not acknowledged by now are redelivered after a restart (their offsets are not
    // committed); the appender still stores what was queued
    preparer.shutdownNow();
    laneExecutor.shutdownNow();
    finisher.shutdownNow();
  }

  /**
   * Prepares and submits a batch's chunks, its lanes at once; returns when every chunk is submitted
   * (or a lane failed: then with the failure and the chunks submitted so far, which are still
   * appended).
   */
  Submitted submit(ConsumerRecords<String, byte[]> records) {
    List<List<ConsumerRecord<String, byte[]>>> lanes = lanes(records, LANES);
    List<List<CompletableFuture<ChainWriter.Outcome>>> appends = new ArrayList<>();
    for (int i = 0; i < lanes.size(); i++) {
      appends.add(new ArrayList<>());
    }
    Exception failure = null;
    List<Future<?>> others = new ArrayList<>();
    for (int i = 1; i < lanes.size(); i++) {
      int lane = i;
      others.add(
          laneExecutor.submit(
              () -> {
                prepare(lanes.get(lane), appends.get(lane));
                return null;
              }));
    }
    try {
      prepare(lanes.get(0), appends.get(0));
    } catch (Exception e) {
      failure = e;
    }
    for (Future<?> other : others) {
      try {
        other.get();
      } catch (ExecutionException | InterruptedException e) {
        Exception cause =
            e.getCause() instanceof Exception ex
                ? ex
                : e instanceof InterruptedException ie
                    ? ie
                    : new IllegalStateException(e.getCause());
        if (failure == null) {
          failure = cause;
        } else {
          failure.addSuppressed(cause);
        }
      }
    }
    List<CompletableFuture<ChainWriter.Outcome>> all = new ArrayList<>();
    for (List<CompletableFuture<ChainWriter.Outcome>> lane : appends) {
      synchronized (lane) {
        all.addAll(lane);
      }
    }
    return new Submitted(all, failure);
  }

  /**
   * The batch's records in at most {@code n} lanes, each partition whole in one lane (in offset
   * order), the largest partitions first to the lane with the fewest records.
   */
  static List<List<ConsumerRecord<String, byte[]>>> lanes(
      ConsumerRecords<String, byte[]> records, int n) {
    List<List<ConsumerRecord<String, byte[]>>> byPartition = new ArrayList<>();
    for (TopicPartition tp : records.partitions()) {
      byPartition.add(records.records(tp));
    }
    byPartition.sort((x, y) -> Integer.compare(y.size(), x.size()));
    List<List<ConsumerRecord<String, byte[]>>> lanes = new ArrayList<>();
    for (List<ConsumerRecord<String, byte[]>> partition : byPartition) {
      if (lanes.size() < n) {
        lanes.add(new ArrayList<>(partition));
        continue;
      }
      List<ConsumerRecord<String, byte[]>> smallest = lanes.get(0);
      for (List<ConsumerRecord<String, byte[]>> lane : lanes) {
        if (lane.size() < smallest.size()) {
          smallest = lane;
        }
      }
      smallest.addAll(partition);
    }
    if (lanes.isEmpty()) {
      lanes.add(List.of());
    }
    return lanes;
  }

  /**
   * Decodes, normalises and submits one lane's records in chunks of {@value #CHUNK}; at most
   * {@value #DEPTH} of its chunks wait for the appender. Poison records are dead-lettered here.
   */
  private void prepare(
      List<ConsumerRecord<String, byte[]>> records,
      List<CompletableFuture<ChainWriter.Outcome>> appends)
      throws Exception {
    List<NormalisedEvent> chunk = new ArrayList<>(Math.min(CHUNK, records.size()));
    for (ConsumerRecord<String, byte[]> r : records) {
      ConsumingChannel channel = channelOf(r.topic());
      try {
        chunk.addAll(normalise(channel.topic(), r, this::notStored));
      } catch (UndecodableRecordException | IllegalArgumentException e) {
        deadLetter(channel, r, e.getMessage());
      } catch (RuntimeException e) {
        // a normaliser bug on one record must not stop (or dead-letter) the whole batch
        LOG.errorf(
            e, "cannot normalise the record at %s-%d@%d", r.topic(), r.partition(), r.offset());
        deadLetter(channel, r, "cannot be normalised: " + e.getClass().getSimpleName());
      }
      if (chunk.size() >= CHUNK) { // a batched receipt can take it past CHUNK
        if (appends.size() >= DEPTH) {
          // enough queued to keep the appender busy: wait rather than hold more rows in memory
          // (a failed chunk stops the lane here: nothing more is submitted)
          ChainWriter.await(appends.get(appends.size() - DEPTH));
        }
        submit(appends, chunk);
        chunk = new ArrayList<>(CHUNK);
      }
    }
    if (!chunk.isEmpty()) {
      submit(appends, chunk);
    }
  }

  private void submit(
      List<CompletableFuture<ChainWriter.Outcome>> appends, List<NormalisedEvent> chunk) {
    CompletableFuture<ChainWriter.Outcome> f = writer.submit(chunk);
    synchronized (appends) {
      appends.add(f);
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
   * Counts a record consumed but not stored: a periodic provider event (INVENTORY, TICK; {@link
   * OcsfNormalisers#notStored}), counter {@code runnerguard_audit_provider_events_skipped_total}
   * tagged with the kind.
   */
  private void notStored(String kind) {
    registry.counter("runnerguard.audit.provider_events.skipped", "kind", kind).increment();
  }

  /**
   * Decodes and normalises one record.
   *
   * @param notStored told the reason (a provider event's kind) when the record is consumed but not
   *     stored ({@link OcsfNormalisers#notStored}); null is returned then
   * @return the record's event; none for a record that is not stored; one per delivery for a
   *     batched receipt on {@code github.delivery} ({@link OcsfNormalisers#normaliseAll})
   * @throws UndecodableRecordException for poison records
   * @throws IllegalArgumentException for records no normaliser can take
   */
  static List<NormalisedEvent> normalise(
      Topics topic, ConsumerRecord<String, byte[]> r, Consumer<String> notStored) {
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
      return List.of(DetectionFindingNormaliser.normaliseFalco(json, pos));
    }
    var type =
        Schemas.valueType(topic)
            .orElseThrow(() -> new IllegalArgumentException("no value type for " + topic));
    var record = EventCodec.of(type).decode(r.topic(), r.partition(), r.offset(), r.value());
    String skipped = OcsfNormalisers.notStored(record);
    if (skipped != null) {
      notStored.accept(skipped);
      return List.of();
    }
    return OcsfNormalisers.normaliseAll(record, pos);
  }

  /** The {@code audit-*} entries of {@link ConsumingChannel} by the name of their topic. */
  static final Map<String, ConsumingChannel> CHANNELS = auditChannels();

  private static Map<String, ConsumingChannel> auditChannels() {
    Map<String, ConsumingChannel> byTopic = new HashMap<>();
    for (ConsumingChannel c : ConsumingChannel.values()) {
      if (c.channel().startsWith(CHANNEL_PREFIX)) {
        byTopic.put(c.topic().topicName(), c);
      }
    }
    return Map.copyOf(byTopic);
  }

  /**
   * The logical channel of a platform topic: its dead-letter topic and the {@code channel} tag of
   * the dead-letter counter.
   *
   * @throws IllegalStateException for a topic that is not a platform topic (the channel's {@code
   *     topics} list and {@link ConsumingChannel} disagree: a configuration error)
   */
  static ConsumingChannel channelOf(String topic) {
    ConsumingChannel c = CHANNELS.get(topic);
    if (c == null) {
      throw new IllegalStateException(
          "topic "
              + topic
              + " has no audit-* entry in ConsumingChannel; fix "
              + "mp.messaging.incoming."
              + PLATFORM_CHANNEL
              + ".topics");
    }
    return c;
  }

  /**
   * Sends a poison record to its dead-letter topic and waits until the broker has it ({@link
   * DeadLetterProducer#send}: retried while the broker cannot take it, so the batch's offsets are
   * never committed before the poison record is safe, and it is never dropped).
   */
  private void deadLetter(ConsumingChannel channel, ConsumerRecord<String, byte[]> r, String why)
      throws Exception {
    LOG.warnf("dead-lettering poison record to %s: %s", channel.deadLetterTopic(), why);
    deadLetters.send(channel.deadLetterTopic(), r, why);
    registry
        .counter("runnerguard.audit.events.dead_lettered", "channel", channel.channel())
        .increment();
  }
}
