package dev.runnerguard.bench;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The raw Kafka baseline of the webhook-to-provider-create path: three hops with plain clients on
 * the same broker. An open-loop producer writes to {@code bench.raw-hop1}; a consume-and-forward
 * loop copies each record to {@code bench.raw-hop2}, a second one to {@code bench.raw-hop3}; a
 * final consumer reads it. Producers are {@code acks=all} and idempotent (linger 1 ms on the first,
 * as the gateway; 0 on the forwarders, as the services). Latency from each record's scheduled send
 * time (carried in the value, epoch micros) to when the final consumer sees it.
 */
final class RawThreeHops implements AutoCloseable {
  static final List<String> TOPICS = List.of("bench.raw-hop1", "bench.raw-hop2", "bench.raw-hop3");
  static final int PARTITIONS = 12;

  private final String bootstrap;
  private final int valueBytes;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<Thread> threads = new ArrayList<>();
  private final KafkaProducer<String, byte[]> source;
  private volatile LatencySink sink;
  private final AtomicLong received = new AtomicLong();

  /** Receives each end-to-end latency in microseconds. */
  interface LatencySink {
    void record(long micros);
  }

  RawThreeHops(String bootstrap, int valueBytes) throws Exception {
    this.bootstrap = bootstrap;
    this.valueBytes = Math.max(16, valueBytes);
    Properties a = new Properties();
    a.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(a)) {
      List<NewTopic> topics = new ArrayList<>();
      for (String t : TOPICS) {
        topics.add(new NewTopic(t, PARTITIONS, (short) 1));
      }
      admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
    }
    source = producer(1);
    forward(TOPICS.get(0), TOPICS.get(1));
    forward(TOPICS.get(1), TOPICS.get(2));
    Thread end =
        new Thread(
            () -> {
              try (KafkaConsumer<String, byte[]> c = consumerAtEnd(TOPICS.get(2))) {
                while (running.get()) {
                  for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(50))) {
                    long now = nowMicros();
                    long sent = ByteBuffer.wrap(r.value()).getLong();
                    LatencySink s = sink;
                    if (s != null) {
                      s.record(Math.max(0, now - sent));
                    }
                    received.incrementAndGet();
                  }
                }
              }
            },
            "raw-hop-end");
    end.setDaemon(true);
    threads.add(end);
    end.start();
    Thread.sleep(2_000); // consumers positioned
  }

  static long nowMicros() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
  }

  /**
   * Open loop at {@code rate}/s for {@code seconds}; waits (bounded) until every record arrived.
   * Returns {sent, received}.
   */
  long[] openLoop(int rate, double seconds, LatencySink to) throws InterruptedException {
    long before = received.get();
    sink = to;
    long total = Math.max(1, Math.round(rate * seconds));
    double intervalNs = 1e9 / rate;
    Instant base = Instant.now();
    long baseNanos = System.nanoTime();
    long baseMicros = base.getEpochSecond() * 1_000_000L + base.getNano() / 1_000;
    long start = baseNanos + TimeUnit.MILLISECONDS.toNanos(5);
    byte[] pad = new byte[valueBytes];
    for (long i = 0; i < total; i++) {
      long due = start + (long) (i * intervalNs);
      long now;
      while ((now = System.nanoTime()) < due) {
        LockSupport.parkNanos(due - now);
      }
      byte[] value = pad.clone();
      ByteBuffer.wrap(value).putLong(baseMicros + (due - baseNanos) / 1_000);
      source.send(new ProducerRecord<>(TOPICS.get(0), Long.toString(i), value));
    }
    source.flush();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (received.get() - before < total && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    sink = null;
    return new long[] {total, received.get() - before};
  }

  private void forward(String from, String to) {
    Thread t =
        new Thread(
            () -> {
              try (KafkaConsumer<String, byte[]> c = consumerAtEnd(from);
                  KafkaProducer<String, byte[]> p = producer(0)) {
                while (running.get()) {
                  for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(50))) {
                    p.send(new ProducerRecord<>(to, r.key(), r.value()));
                  }
                }
              }
            },
            "raw-hop-" + from);
    t.setDaemon(true);
    threads.add(t);
    t.start();
  }

  private KafkaProducer<String, byte[]> producer(int lingerMs) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, Integer.toString(lingerMs));
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  private KafkaConsumer<String, byte[]> consumerAtEnd(String topic) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500");
    KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> parts =
        c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
            .map(i -> new TopicPartition(topic, i.partition()))
            .toList();
    c.assign(parts);
    c.seekToEnd(parts);
    parts.forEach(c::position);
    return c;
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    for (Thread t : threads) {
      t.join(5_000);
    }
    source.close(Duration.ofSeconds(5));
    Properties a = new Properties();
    a.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(a)) {
      admin.deleteTopics(TOPICS).all().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      // the stack is thrown away anyway
    }
  }
}
