package dev.runnerguard.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node KRaft Kafka broker (broker and controller combined) in its own JVM, which a
 * test can stop gracefully ({@link #stop()}), kill like a crash ({@link #kill()}) and start again
 * on the same ports with the same data ({@link #startAgain()}, {@link #restart()}).
 *
 * <p>Unlike {@link KafkaTestBroker}, which shares one in-process broker per test JVM, every
 * instance is its own broker: a test that takes the broker away does not disturb other tests. The
 * child JVM runs {@code kafka.Kafka} from this JVM's class path (the testing module brings
 * kafka_2.13 and its runtime dependencies), listens on 127.0.0.1 only and writes its output (WARN
 * and above) to {@link #log()} in its data folder. {@link #close()} stops it and deletes the
 * folder.
 */
public final class KafkaBrokerProcess implements AutoCloseable {
  /**
   * The heap and collector flags {@code ./runnerguard} starts its broker with: G1 aiming at 20 ms
   * pauses, Kafka's usual setting. A 5 ms target was tried (2026-11-29): the broker's young pauses
   * fell from 8-22 ms to ~7 ms (median), the gateway benchmark's p99 moved within its run-to-run
   * spread, and the broker's RSS in the memory benchmark was 704 MiB (485 in its last run at 20).
   */
  static final List<String> BROKER_JVM_OPTIONS =
      List.of("-Xms128m", "-Xmx512m", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20");

  /**
   * Replaces {@link #BROKER_JVM_OPTIONS} when set (space-separated), to measure the broker under
   * other heap or collector settings, e.g. {@code bench/run-gateway.sh}.
   */
  public static final String BROKER_JVM_OPTIONS_ENV = "RUNNERGUARD_TEST_BROKER_JVM_OPTIONS";

  static List<String> brokerJvmOptions(String override) {
    return override == null || override.isBlank()
        ? BROKER_JVM_OPTIONS
        : List.of(override.trim().split("\\s+"));
  }

  private static final Logger LOG = Logger.getLogger(KafkaBrokerProcess.class.getName());
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

  private final Path dataDir;
  private final Path serverProperties;
  private final Path log4jConfig;
  private final Path jbossLoggingConfig;
  private final Path log;
  private final int port;
  private final int controllerPort;
  private final Thread shutdownHook;
  private volatile Process process;

  private KafkaBrokerProcess(Path dataDir, int port, int controllerPort) {
    this.dataDir = dataDir;
    this.serverProperties = dataDir.resolve("server.properties");
    this.log4jConfig = dataDir.resolve("log4j2.properties");
    this.jbossLoggingConfig = dataDir.resolve("logging.properties");
    this.log = dataDir.resolve("broker.log");
    this.port = port;
    this.controllerPort = controllerPort;
    this.shutdownHook = new Thread(this::destroyQuietly, "runnerguard-kafka-process-shutdown");
  }

  /**
   * Formats a fresh data folder, starts the broker on free loopback ports and waits until it
   * answers.
   */
  public static KafkaBrokerProcess start() {
    Path dataDir;
    try {
      dataDir = Files.createTempDirectory("runnerguard-kafka-process-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the broker's data folder", e);
    }
    KafkaBrokerProcess broker;
    try {
      int[] ports = freePorts(2);
      broker = new KafkaBrokerProcess(dataDir, ports[0], ports[1]);
      broker.writeConfig();
      broker.format();
    } catch (IOException e) {
      TempDirs.deleteQuietly(dataDir);
      throw new UncheckedIOException("cannot prepare the broker in " + dataDir, e);
    } catch (RuntimeException e) {
      TempDirs.deleteQuietly(dataDir);
      throw e;
    }
    Runtime.getRuntime().addShutdownHook(broker.shutdownHook);
    try {
      broker.startAgain();
    } catch (RuntimeException e) {
      broker.close();
      throw e;
    }
    return broker;
  }

  /** {@code 127.0.0.1:<port>} of the PLAINTEXT listener; the same across restarts. */
  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /** The broker's output (WARN and above), kept across restarts. */
  public Path log() {
    return log;
  }

  /** Whether the broker JVM runs. */
  public boolean isRunning() {
    Process p = process;
    return p != null && p.isAlive();
  }

  /**
   * Stops the broker gracefully (SIGTERM: controlled shutdown, logs flushed) and waits a bounded
   * time; kills it if it does not exit. Does nothing when it is not running.
   */
  public synchronized void stop() {
    Process p = process;
    if (p == null) {
      return;
    }
    p.destroy();
    try {
      if (!p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warning("broker did not stop within " + STOP_TIMEOUT + "; killing it");
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
    }
    process = null;
  }

  /** Kills the broker (SIGKILL), like a crash: nothing is flushed, no controlled shutdown. */
  public synchronized void kill() {
    Process p = process;
    if (p == null) {
      return;
    }
    p.destroyForcibly();
    try {
      p.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  /** {@link #stop()}, then {@link #startAgain()}. */
  public synchronized void restart() {
    stop();
    startAgain();
  }

  /**
   * Starts the stopped (or killed) broker again on the same ports with the same data and waits
   * until it answers.
   */
  public synchronized void startAgain() {
    if (isRunning()) {
      throw new IllegalStateException("the broker at " + bootstrapServers() + " still runs");
    }
    long started = System.nanoTime();
    try {
      process =
          new ProcessBuilder(javaCommand("kafka.Kafka", serverProperties.toString()))
              .directory(dataDir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(Redirect.appendTo(log.toFile()))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the broker JVM", e);
    }
    awaitReady();
    long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    LOG.info(() -> "Kafka broker process ready at " + bootstrapServers() + " in " + took + " ms");
  }

  /** Creates the topics (name to partition count) that do not exist yet. */
  public void createTopics(Map<String, Integer> partitionsByName) {
    KafkaTestBroker.createTopics(bootstrapServers(), partitionsByName);
  }

  /** Creates topics with the given partition count unless they exist already. */
  public void createTopics(int partitions, Collection<String> names) {
    Map<String, Integer> wanted = new LinkedHashMap<>();
    names.forEach(n -> wanted.put(n, partitions));
    createTopics(wanted);
  }

  /** Creates the same topics as {@link KafkaTestBroker#createPlatformTopics()}. */
  public void createPlatformTopics() {
    createTopics(KafkaTestBroker.platformTopics());
  }

  /** Admin client properties for this broker. */
  public Properties adminProperties() {
    return KafkaTestBroker.adminProperties(bootstrapServers());
  }

  /** Stops the broker and deletes its data folder. */
  @Override
  public void close() {
    stop();
    TempDirs.deleteQuietly(dataDir);
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException | IllegalArgumentException ignored) {
      // the JVM is shutting down already, or the hook was never added
    }
  }

  /** The last lines of {@link #log()}. */
  public String tail() {
    try {
      if (!Files.exists(log)) {
        return "(no broker log)";
      }
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    Properties props = adminProperties();
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000);
    props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
    try (Admin admin = Admin.create(props)) {
      while (System.nanoTime() < deadline) {
        Process p = process;
        if (p == null || !p.isAlive()) {
          process = null;
          throw new IllegalStateException(
              "the broker JVM exited"
                  + (p == null ? "" : " with " + p.exitValue())
                  + " before it was ready; "
                  + log
                  + ":\n"
                  + tail());
        }
        try {
          Collection<Node> nodes = admin.describeCluster().nodes().get(3, TimeUnit.SECONDS);
          if (!nodes.isEmpty()) {
            return;
          }
        } catch (ExecutionException | TimeoutException e) {
          // not answering yet
        }
        Thread.sleep(200);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill();
      throw new IllegalStateException("interrupted while waiting for the broker", e);
    }
    kill();
    throw new IllegalStateException(
        "the broker at "
            + bootstrapServers()
            + " was not ready within "
            + READY_TIMEOUT
            + "; "
            + log
            + ":\n"
            + tail());
  }

  private void writeConfig() throws IOException {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
    p.put(
        "listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
    p.put("log.dirs", dataDir.resolve("kafka-logs").toString());
    p.put("num.partitions", "1");
    p.put("default.replication.factor", "1");
    p.put("min.insync.replicas", "1");
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "4");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "4");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("auto.create.topics.enable", "false");
    p.put("num.network.threads", "2");
    p.put("num.io.threads", "2");
    p.put("num.recovery.threads.per.data.dir", "1");
    Files.writeString(
        serverProperties,
        p.entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue().replace("\\", "\\\\"))
            .collect(Collectors.joining("\n", "", "\n")),
        StandardCharsets.UTF_8);
    // Kafka logs through SLF4J, which on this class path is bound to the JBoss LogManager:
    // WARN and above to stdout, which goes to broker.log. log4j2 (used by Kafka directly for its
    // log-level admin API) gets the same.
    Files.writeString(
        jbossLoggingConfig,
        String.join(
            "\n",
            "logger.level=WARN",
            "logger.handlers=OUT",
            "handler.OUT=org.jboss.logmanager.handlers.ConsoleHandler",
            "handler.OUT.level=WARN",
            "handler.OUT.formatter=PATTERN",
            "handler.OUT.properties=autoFlush,target",
            "handler.OUT.autoFlush=true",
            "handler.OUT.target=SYSTEM_OUT",
            "formatter.PATTERN=org.jboss.logmanager.formatters.PatternFormatter",
            "formatter.PATTERN.properties=pattern",
            "formatter.PATTERN.pattern=%d{yyyy-MM-dd HH:mm:ss,SSS} %-5p [%c{1.}] %s%e%n",
            ""),
        StandardCharsets.UTF_8);
    Files.writeString(
        log4jConfig,
        String.join(
            "\n",
            "status = warn",
            "appender.out.type = Console",
            "appender.out.name = out",
            "appender.out.layout.type = PatternLayout",
            "appender.out.layout.pattern = %d{ISO8601} %-5p [%c{1}] %m%n",
            "rootLogger.level = WARN",
            "rootLogger.appenderRef.out.ref = out",
            ""),
        StandardCharsets.UTF_8);
  }

  private void format() throws IOException {
    String clusterId = Uuid.randomUuid().toString();
    Path formatLog = dataDir.resolve("format.log");
    Process format =
        new ProcessBuilder(
                javaCommand(
                    "kafka.tools.StorageTool",
                    "format",
                    "--standalone",
                    "-t",
                    clusterId,
                    "-c",
                    serverProperties.toString()))
            .directory(dataDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(formatLog.toFile())
            .start();
    try {
      if (!format.waitFor(60, TimeUnit.SECONDS)) {
        format.destroyForcibly();
        throw new IllegalStateException("formatting the broker storage took over 60 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      format.destroyForcibly();
      throw new IllegalStateException("interrupted while formatting the broker storage", e);
    }
    if (format.exitValue() != 0) {
      throw new IllegalStateException(
          "formatting the broker storage failed ("
              + format.exitValue()
              + "):\n"
              + Files.readString(formatLog, StandardCharsets.UTF_8));
    }
  }

  /**
   * {@code java <the broker JVM options of ./runnerguard> -cp <this JVM's class path> <main>
   * <args>}, see {@link #classPath()}.
   */
  private List<String> javaCommand(String mainClass, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(brokerJvmOptions(System.getenv(BROKER_JVM_OPTIONS_ENV)));
    command.add("-Djava.awt.headless=true");
    command.add("-Djava.util.logging.manager=org.jboss.logmanager.LogManager");
    command.add("-Dlogging.configuration=" + jbossLoggingConfig.toUri());
    command.add("-Dlog4j2.configurationFile=" + log4jConfig.toUri());
    command.add("-cp");
    command.add(classPath());
    command.add(mainClass);
    command.addAll(List.of(args));
    return command;
  }

  /**
   * This JVM's class path, which holds kafka_2.13 and its runtime dependencies. A manifest-only jar
   * (as Surefire/Failsafe may use) is expanded to the jars its {@code Class-Path} names; it would
   * work as {@code -cp} as it is, but the expansion lets us leave out quarkus-bootstrap-runner,
   * whose JBoss LogManager configurator would hold back every log line of the broker.
   */
  static String classPath() {
    List<String> entries = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (entry.isBlank()) {
        continue;
      }
      List<String> fromManifest = manifestClassPath(Path.of(entry));
      entries.addAll(fromManifest.isEmpty() ? List.of(entry) : fromManifest);
    }
    return entries.stream()
        .filter(e -> !Path.of(e).getFileName().toString().startsWith("quarkus-bootstrap-runner"))
        .collect(Collectors.joining(File.pathSeparator));
  }

  private static List<String> manifestClassPath(Path entry) {
    if (!entry.toString().endsWith(".jar") || !Files.isRegularFile(entry)) {
      return List.of();
    }
    try (JarFile jar = new JarFile(entry.toFile())) {
      Manifest manifest = jar.getManifest();
      String value =
          manifest == null
              ? null
              : manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
      if (value == null || value.isBlank()) {
        return List.of();
      }
      List<String> entries = new ArrayList<>();
      entries.add(entry.toString()); // the jar itself may hold classes too
      for (String ref : value.trim().split("\\s+")) {
        URI uri = entry.toUri().resolve(ref);
        entries.add("file".equals(uri.getScheme()) ? Path.of(uri).toString() : ref);
      }
      return entries;
    } catch (IOException | IllegalArgumentException e) {
      return List.of();
    }
  }

  private void destroyQuietly() {
    Process p = process;
    if (p != null) {
      p.destroyForcibly();
    }
  }

  private static int[] freePorts(int count) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) {
        ServerSocket socket = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        sockets.add(socket);
        ports[i] = socket.getLocalPort();
      }
      return ports;
    } finally {
      for (ServerSocket socket : sockets) {
        socket.close();
      }
    }
  }
}
