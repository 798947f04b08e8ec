package dev.runnerguard.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The {@code server.properties} of the local single-node KRaft broker: broker and controller in one
 * JVM, bound to 127.0.0.1 only, replication factor 1 everywhere, no topic auto-creation (topics
 * come from {@link TopicPlan}).
 *
 * <p>Used by {@code ./runnerguard up}: {@code java -cp ...
 * dev.runnerguard.launcher.KafkaServerConfig <file> <port> <controller port> <log dir>}.
 */
public final class KafkaServerConfig {

  /** Node id of the only broker/controller. */
  public static final int NODE_ID = 1;

  private KafkaServerConfig() {}

  /** The properties, in a stable order. */
  public static Map<String, String> properties(int port, int controllerPort, Path logDir) {
    checkPort(port, "broker");
    checkPort(controllerPort, "controller");
    if (port == controllerPort) {
      throw new IllegalArgumentException(
          "broker and controller need different ports, both are " + port);
    }
    Map<String, String> p = new LinkedHashMap<>();
    p.put("process.roles", "broker,controller");
    p.put("node.id", Integer.toString(NODE_ID));
    p.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
    p.put(
        "listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
    p.put("log.dirs", logDir.toAbsolutePath().toString());
    p.put("num.partitions", "1");
    p.put("default.replication.factor", "1");
    p.put("min.insync.replicas", "1");
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "10");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("auto.create.topics.enable", "false");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("num.network.threads", "2");
    p.put("num.io.threads", "2");
    p.put("num.recovery.threads.per.data.dir", "1");
    p.put("log.retention.hours", "24");
    p.put("log.segment.bytes", Integer.toString(64 * 1024 * 1024));
    return p;
  }

  /** The properties as a {@code .properties} file body. */
  public static String render(int port, int controllerPort, Path logDir) {
    return "# Written by ./runnerguard up (dev.runnerguard.launcher.KafkaServerConfig).\n"
        + properties(port, controllerPort, logDir).entrySet().stream()
            .map(e -> e.getKey() + "=" + escape(e.getValue()))
            .collect(Collectors.joining("\n", "", "\n"));
  }

  private static String escape(String value) {
    return value.replace("\\", "\\\\");
  }

  private static void checkPort(int port, String what) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(what + " port out of range: " + port);
    }
  }

  /** Writes the file: {@code <file> <port> <controller port> <log dir>}. */
  public static void main(String[] args) throws IOException {
    if (args.length != 4) {
      System.err.println("usage: KafkaServerConfig <file> <port> <controller port> <log dir>");
      System.exit(2);
    }
    Path file = Path.of(args[0]);
    String body = render(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Path.of(args[3]));
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, body);
  }
}
