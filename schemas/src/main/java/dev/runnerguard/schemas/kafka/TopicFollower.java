package dev.runnerguard.schemas.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Reads a whole topic from the beginning in a background thread and keeps following it: the way a
 * service rebuilds in-memory state that lives in Kafka (the gateway's accepted delivery ids, the
 * policy service's decided jobs). It assigns itself every partition (no consumer group), hands each
 * record to a callback, and reports {@link #caughtUp()} once it has read up to the end offsets it
 * found at start — services gate their readiness on that.
 */
public final class TopicFollower implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(TopicFollower.class.getName());

  private final String name;
  private final org.apache.kafka.clients.consumer.Consumer<String, byte[]> consumer;
  private final String topic;
  private final Consumer<ConsumerRecord<String, byte[]>> onRecord;
  private final Runnable afterPoll;
  private final AtomicBoolean caughtUp = new AtomicBoolean();
  private final AtomicBoolean running = new AtomicBoolean();
  private final AtomicReference<String> failure = new AtomicReference<>();
  private Thread thread;

  /**
   * @param name what is followed, for the thread name and log lines
   * @param consumer a consumer without group management; the follower owns and closes it
   * @param onRecord called for every record, on the follower's thread
   * @param afterPoll called after every poll, on the follower's thread (housekeeping)
   */
  public TopicFollower(
      String name,
      org.apache.kafka.clients.consumer.Consumer<String, byte[]> consumer,
      String topic,
      Consumer<ConsumerRecord<String, byte[]>> onRecord,
      Runnable afterPoll) {
    this.name = name;
    this.consumer = consumer;
    this.topic = topic;
    this.onRecord = onRecord;
    this.afterPoll = afterPoll;
  }

  /** Starts following in a daemon thread; a second call does nothing. */
  public synchronized void start() {
    if (running.getAndSet(true)) {
      return;
    }
    thread = new Thread(this::follow, name + "-" + topic);
    thread.setDaemon(true);
    thread.start();
  }

  /** True once every record that existed at start has been handed over. */
  public boolean caughtUp() {
    return caughtUp.get();
  }

  /** Why following stopped, if it did (null while it runs). */
  public String failure() {
    return failure.get();
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
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          onRecord.accept(record);
        }
        if (!caughtUp.get()) {
          checkCaughtUp(target);
        }
        afterPoll.run();
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      failure.set(e.getClass().getSimpleName() + ": " + e.getMessage());
      LOG.log(System.Logger.Level.ERROR, name + " stopped following " + topic + ": " + e);
    } finally {
      consumer.close();
    }
  }

  private void checkCaughtUp(Map<TopicPartition, Long> target) {
    target.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
    if (target.isEmpty() && !caughtUp.getAndSet(true)) {
      LOG.log(System.Logger.Level.INFO, name + " caught up with " + topic);
    }
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    consumer.wakeup();
    Thread t = thread;
    if (t != null) {
      t.join(10_000);
    }
  }
}
