package dev.runnerguard.policy.output;

import dev.runnerguard.policy.admission.DecisionFactory;
import dev.runnerguard.schemas.avro.AdmissionDecision;
import dev.runnerguard.schemas.kafka.TopicFollower;
import dev.runnerguard.schemas.serde.EventCodec;
import dev.runnerguard.schemas.serde.UndecodableRecordException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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
  private final TopicFollower follower;

  /**
   * @param consumer a consumer without group management (the log assigns itself every partition)
   */
  public DecidedLog(Consumer<String, byte[]> consumer, String topic) {
    this.follower = new TopicFollower("decided-log", consumer, topic, this::remember, () -> {});
  }

  /** Starts reading in a background thread. */
  public void start() {
    follower.start();
  }

  /** True once every decision that existed at start has been read. */
  public boolean caughtUp() {
    return follower.caughtUp();
  }

  /** Why following stopped, if it did. */
  public String failure() {
    return follower.failure();
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

  @Override
  public void close() throws InterruptedException {
    follower.close();
  }
}
