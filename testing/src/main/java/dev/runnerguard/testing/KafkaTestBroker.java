package dev.runnerguard.testing;

import dev.runnerguard.schemas.ConsumingChannel;
import dev.runnerguard.schemas.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * One real Kafka broker per test JVM, shared by every test class that asks for it.
 *
 * <p>Which broker is used is chosen by the system property or environment variable {@value
 * #MODE_PROPERTY} ({@code RUNNERGUARD_TEST_KAFKA}):
 *
 * <ul>
 *   <li>{@code embedded} (default) — a combined KRaft node started in this JVM with Kafka's own
 *       {@link KafkaClusterTestKit}; needs no Docker and starts in about four seconds.
 *   <li>{@code testcontainers} — Testcontainers' Kafka module, when a Docker engine is reachable;
 *       falls back to {@code embedded} with a warning when none is.
 *   <li>{@code external:<bootstrap servers>} — a broker somebody else started.
 * </ul>
 *
 * <p>The broker outlives test classes and is stopped by a JVM shutdown hook. Because Quarkus tests
 * load classes in more than one class loader, the address of the running broker is kept in a system
 * property ({@value #BOOTSTRAP_PROPERTY}), which every class loader sees, so a second loader reuses
 * the broker instead of starting another.
 */
public final class KafkaTestBroker {

  /** Selects the broker implementation, see the class comment. */
  public static final String MODE_PROPERTY = "runnerguard.test.kafka";

  /** Holds the bootstrap servers of the broker this JVM started or was given. */
  public static final String BOOTSTRAP_PROPERTY = "runnerguard.test.kafka.bootstrap-servers";

  private static final Logger LOG = Logger.getLogger(KafkaTestBroker.class.getName());

  /** The running broker of this class loader, if it started it; null otherwise. */
  private static volatile RunningBroker owned;

  private KafkaTestBroker() {}

  /** Starts the JVM's broker if none runs yet and returns its bootstrap servers. */
  public static String bootstrapServers() {
    // The system properties object is shared by every class loader in the JVM.
    synchronized (System.getProperties()) {
      String existing = System.getProperty(BOOTSTRAP_PROPERTY);
      if (existing != null) {
        return existing;
      }
      String mode = setting(MODE_PROPERTY, "embedded").trim();
      String bootstrap;
      if (mode.startsWith("external:")) {
        bootstrap = mode.substring("external:".length());
        LOG.info(() -> "using external Kafka broker at " + mode.substring(9));
      } else {
        RunningBroker broker =
            switch (mode.toLowerCase(Locale.ROOT)) {
              case "testcontainers" -> TestcontainersBroker.startOrNull();
              case "embedded" -> null;
              default ->
                  throw new IllegalArgumentException(
                      MODE_PROPERTY
                          + " must be embedded, testcontainers or external:<bootstrap>, got "
                          + mode);
            };
        if (broker == null) {
          broker = EmbeddedKraftBroker.start();
        }
        owned = broker;
        bootstrap = broker.bootstrapServers();
        RunningBroker toStop = broker;
        Runtime.getRuntime()
            .addShutdownHook(new Thread(toStop::stop, "runnerguard-test-kafka-shutdown"));
      }
      System.setProperty(BOOTSTRAP_PROPERTY, bootstrap);
      return bootstrap;
    }
  }

  /** Admin client properties for the shared broker. */
  public static Properties adminProperties() {
    return adminProperties(bootstrapServers());
  }

  /** Admin client properties for the broker at the given bootstrap servers. */
  static Properties adminProperties(String bootstrapServers) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
    return props;
  }

  /**
   * Creates topics with the given partition count unless they exist already, and waits until the
   * broker knows them.
   */
  public static void createTopics(int partitions, Collection<String> names) {
    Map<String, Integer> wanted = new LinkedHashMap<>();
    names.forEach(n -> wanted.put(n, partitions));
    createTopics(wanted);
  }

  /**
   * Creates every platform topic ({@link Topics}) with its partition count and every consuming
   * channel's dead-letter topic ({@link ConsumingChannel}), as the launcher does.
   */
  public static void createPlatformTopics() {
    createTopics(platformTopics());
  }

  /**
   * Every platform topic ({@link Topics}) with its partition count and every consuming channel's
   * dead-letter topic ({@link ConsumingChannel}) with one partition, in a stable order.
   */
  public static Map<String, Integer> platformTopics() {
    Map<String, Integer> wanted = new LinkedHashMap<>();
    for (Topics topic : Topics.values()) {
      wanted.put(topic.topicName(), topic.partitions());
    }
    for (ConsumingChannel channel : ConsumingChannel.values()) {
      wanted.put(channel.deadLetterTopic(), 1);
    }
    return wanted;
  }

  /** Creates the topics (name to partition count) that do not exist yet. */
  public static void createTopics(Map<String, Integer> partitionsByName) {
    createTopics(bootstrapServers(), partitionsByName);
  }

  /**
   * Creates the topics (name to partition count) that do not exist yet on the broker at the given
   * bootstrap servers, and waits until the broker knows them. A platform topic gets its {@link
   * Topics#topicConfig()}, as in production.
   */
  static void createTopics(String bootstrapServers, Map<String, Integer> partitionsByName) {
    try (Admin admin = Admin.create(adminProperties(bootstrapServers))) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> missing =
          partitionsByName.entrySet().stream()
              .filter(e -> !existing.contains(e.getKey()))
              .map(
                  e ->
                      new NewTopic(e.getKey(), e.getValue(), (short) 1)
                          .configs(
                              Topics.byName(e.getKey()).map(Topics::topicConfig).orElse(Map.of())))
              .toList();
      if (missing.isEmpty()) {
        return;
      }
      try {
        admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not create topics " + partitionsByName.keySet(), e);
    }
  }

  /** Creates topics with the given partition count unless they exist already. */
  public static void createTopics(int partitions, String... names) {
    createTopics(partitions, List.of(names));
  }

  /**
   * Stops the broker this class loader started, for tests that check behaviour without a broker.
   * Later calls to {@link #bootstrapServers()} start a new one.
   */
  public static void stopForTest() {
    synchronized (System.getProperties()) {
      RunningBroker broker = owned;
      if (broker == null) {
        throw new IllegalStateException("this class loader did not start the broker");
      }
      broker.stop();
      owned = null;
      System.clearProperty(BOOTSTRAP_PROPERTY);
    }
  }

  static String setting(String property, String fallback) {
    String value = System.getProperty(property);
    if (value == null) {
      value = System.getenv(property.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'));
    }
    return value == null || value.isBlank() ? fallback : value;
  }

  /** A broker this JVM started. */
  interface RunningBroker {
    String bootstrapServers();

    void stop();
  }

  /** A combined KRaft broker and controller in this JVM, with its data in a temporary folder. */
  static final class EmbeddedKraftBroker implements RunningBroker {
    private final KafkaClusterTestKit cluster;
    private final Path baseDir;

    private EmbeddedKraftBroker(KafkaClusterTestKit cluster, Path baseDir) {
      this.cluster = cluster;
      this.baseDir = baseDir;
    }

    static EmbeddedKraftBroker start() {
      long started = System.nanoTime();
      Path baseDir;
      try {
        baseDir = Files.createTempDirectory("runnerguard-test-kafka-");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create the broker's data folder", e);
      }
      try {
        KafkaClusterTestKit cluster =
            new KafkaClusterTestKit.Builder(
                    new TestKitNodes.Builder()
                        .setCombined(true)
                        .setNumBrokerNodes(1)
                        .setNumControllerNodes(1)
                        .setBaseDirectory(baseDir)
                        .build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "4")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("transaction.state.log.num.partitions", "4")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("auto.create.topics.enable", "false")
                .setConfigProp("num.partitions", "4")
                .setDeleteOnClose(true)
                .build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
        EmbeddedKraftBroker broker = new EmbeddedKraftBroker(cluster, baseDir);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        LOG.info(
            () ->
                "embedded KRaft broker ready at "
                    + cluster.bootstrapServers()
                    + " in "
                    + took.toMillis()
                    + " ms");
        return broker;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while starting the embedded broker", e);
      } catch (Exception e) {
        throw new IllegalStateException("the embedded KRaft broker did not start", e);
      }
    }

    @Override
    public String bootstrapServers() {
      return cluster.bootstrapServers();
    }

    @Override
    public void stop() {
      try {
        cluster.close();
      } catch (Exception e) {
        LOG.warning("embedded broker did not stop cleanly: " + e);
      }
      TempDirs.deleteQuietly(baseDir);
    }
  }

  /** Testcontainers' Kafka module, used only when asked for and a Docker engine answers. */
  static final class TestcontainersBroker implements RunningBroker {
    private final org.testcontainers.kafka.KafkaContainer container;

    private TestcontainersBroker(org.testcontainers.kafka.KafkaContainer container) {
      this.container = container;
    }

    static RunningBroker startOrNull() {
      try {
        Class.forName("org.testcontainers.DockerClientFactory");
      } catch (ClassNotFoundException e) {
        LOG.warning("Testcontainers is not on the test classpath; using the embedded broker");
        return null;
      }
      if (!org.testcontainers.DockerClientFactory.instance().isDockerAvailable()) {
        LOG.warning("no Docker engine is reachable; using the embedded KRaft broker instead");
        return null;
      }
      var container = new org.testcontainers.kafka.KafkaContainer("apache/kafka:4.1.2");
      container.withEnv(Map.of("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false"));
      container.start();
      return new TestcontainersBroker(container);
    }

    @Override
    public String bootstrapServers() {
      return container.getBootstrapServers();
    }

    @Override
    public void stop() {
      container.stop();
    }
  }
}
