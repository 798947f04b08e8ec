package dev.runnerguard.policy.output;

import dev.runnerguard.policy.admission.DecisionFactory;
import dev.runnerguard.schemas.avro.AdmissionDecision;
import dev.runnerguard.schemas.serde.EventCodec;
import dev.runnerguard.schemas.serde.UndecodableRecordException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * The (job id, run attempt) pairs that already have a decision on {@code runner.admission}.
 *
 * <p>Design: the decisions topic is the durable record. On start the log assigns itself every
 * partition, reads from the beginning into a set and reports {@link #caughtUp()} once it reached
 * the end offsets it found at start; then it keeps following, so decisions of other replicas (after
 * a rebalance) are learnt too. Within this replica a decision is {@link #markDecided marked} as
 * soon as the broker acknowledged it.
 */
public final class DecidedLog implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(DecidedLog.class);

  private final Set<String> decided = ConcurrentHashMap.newKeySet();
  private final EventCodec<AdmissionDecision> codec = EventCodec.of(AdmissionDecision.class);
  private final Consumer<String, byte[]> consumer;
  private final String topic;
  private final AtomicBoolean caughtUp = new AtomicBoolean();
  private final AtomicBoolean running = new AtomicBoolean();
  private final AtomicReference<String> failure = new AtomicReference<>();
  private Thread follower;

  /**
   * @param consumer a consumer without group management (the log assigns itself every partition)
   */
  public DecidedLog(Consumer<String, byte[]> consumer, String topic) {
    this.consumer = consumer;
    this.topic = topic;
  }

  /** Starts reading in a background thread. */
  public synchronized void start() {
    if (running.getAndSet(true)) {
      return;
    }
    follower = new Thread(this::follow, "decided-log-" + topic);
    follower.setDaemon(true);
    follower.start();
  }

  /** True once every decision that existed at start has been read. */
  public boolean caughtUp() {
    return caughtUp.get();
  }

  /** Why following stopped, if it did. */
  public String failure() {
    return failure.get();
  }

  /** True when the pair was decided. */
  public boolean isDecided(long jobId, int runAttempt) {
    return decided.contains(DecisionFactory.attemptKey(jobId, runAttempt));
  }

  /** Remembers a pair decided by this replica. */
  public void markDecided(long jobId, int runAttempt) {
    decided.add(DecisionFactory.attemptKey(jobId, runAttempt));
  }

  /** Number of pairs known. */
  public int size() {
    return decided.size();
  }

  private void follow() {
    try {
      List<PartitionInfo> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30));
      if (partitions == null || partitions.isEmpty()) {
        throw new IllegalStateException("topic " + topic + " does not exist");
      }
      List<TopicPartition> assigned =
          partitions.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(assigned);
      consumer.seekToBeginning(assigned);
      Map<TopicPartition, Long> target = new HashMap<>(consumer.endOffsets(assigned));
      checkCaughtUp(target);
      while (running.get()) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          remember(r);
        }
        if (!caughtUp.get()) {
          checkCaughtUp(target);
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      failure.set(e.getClass().getSimpleName() + ": " + e.getMessage());
      LOG.errorf("decided log stopped following %s: %s", topic, e.toString());
    } finally {
      consumer.close();
    }
  }

  private void remember(ConsumerRecord<String, byte[]> r) {
    if (r.value() == null) {
      return;
    }
    try {
      AdmissionDecision d = codec.decode(r.topic(), r.partition(), r.offset(), r.value());
      markDecided(d.getJobId(), d.getRunAttempt());
    } catch (UndecodableRecordException e) {
      LOG.warnf("skipping undecodable decision: %s", e.getMessage());
    }
  }

  private void checkCaughtUp(Map<TopicPartition, Long> target) {
    target.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
    if (target.isEmpty() && !caughtUp.getAndSet(true)) {
      LOG.infof("decided log caught up: %d (job id, run attempt) pairs decided", decided.size());
    }
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    consumer.wakeup();
    Thread t = follower;
    if (t != null) {
      t.join(10_000);
    }
  }
}
