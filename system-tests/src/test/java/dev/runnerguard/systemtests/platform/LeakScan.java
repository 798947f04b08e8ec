package dev.runnerguard.systemtests.platform;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Looks for secrets in text: exact values (the App key's body, the internal secret, the webhook
 * secret, JIT configs seen while the scenario ran) and the shapes of credentials the GitHub
 * simulator issues, so a JIT config or token that was never captured is still found.
 *
 * <p>Shapes (from github-sim's {@code Sim} and {@code GitHubApiResource}): the JIT config is base64
 * of {@code {"url":"http...","runner_id":...,"credential":"simrc_<40 alnum>",...}}, so it starts
 * with {@code eyJ1cmwiOiJodHRw}; the runner credential inside is {@code simrc_} + 40 alphanumerics;
 * installation tokens are {@code ghs_} + 36; App JWTs and the orchestrator's service tokens are
 * compact JWS.
 */
final class LeakScan {
  /** name -> exact secret value (never printed). */
  private final Map<String, String> exact = new LinkedHashMap<>();

  private static final Map<String, Pattern> SHAPES = new LinkedHashMap<>();

  static {
    SHAPES.put("JIT runner credential (simrc_...)", Pattern.compile("simrc_[A-Za-z0-9]{40}"));
    SHAPES.put(
        "encoded JIT config (base64 of {\"url\":\"http...)",
        Pattern.compile(Pattern.quote("eyJ1cmwiOiJodHRw")));
    SHAPES.put("installation token (ghs_...)", Pattern.compile("ghs_[A-Za-z0-9]{36}"));
    SHAPES.put(
        "a signed JWT (App JWT or service token)",
        Pattern.compile("eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{20,}"));
  }

  void secret(String name, String value) {
    if (value != null && value.length() >= 16) {
      exact.put(name, value);
    }
  }

  /** The base64 body lines of a PEM (each a needle: a partial leak counts). */
  void pem(String name, String pem) {
    List<String> body =
        pem.lines().map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("-----")).toList();
    // The first line is mostly the PKCS#8/RSA ASN.1 header every RSA-2048 key shares: skip it.
    for (int i = 1; i < body.size(); i++) {
      if (body.get(i).length() >= 40) {
        exact.put(name + " (PEM line " + (i + 1) + ")", body.get(i));
      }
    }
    exact.put(name + " (whole body)", String.join("", body));
  }

  /** An encoded JIT config and the credential inside it. */
  void jitConfig(String encoded) {
    exact.put("JIT config #" + exact.size(), encoded);
    try {
      String json = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
      Matcher m = Pattern.compile("\"credential\":\"([^\"]+)\"").matcher(json);
      if (m.find()) {
        exact.put("JIT credential #" + exact.size(), m.group(1));
      }
    } catch (IllegalArgumentException e) {
      // not base64: keep the raw value only
    }
  }

  int exactCount() {
    return exact.size();
  }

  /** What leaks in the text, as "where: what" (never the secret itself). */
  List<String> scan(String where, String text) {
    List<String> found = new ArrayList<>();
    for (Map.Entry<String, String> e : exact.entrySet()) {
      if (text.contains(e.getValue())) {
        found.add(where + ": " + e.getKey());
      }
    }
    for (Map.Entry<String, Pattern> e : SHAPES.entrySet()) {
      Matcher m = e.getValue().matcher(text);
      if (m.find()) {
        int from = Math.max(0, m.start() - 60);
        String context = text.substring(from, m.start()).replaceAll("[^\\x20-\\x7e]", ".");
        found.add(where + ": " + e.getKey() + " after \"" + context + "\"");
      }
    }
    return found;
  }

  /** Every regular file under dir (logs). */
  List<String> scanFiles(Path dir) throws IOException {
    List<String> found = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return found;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        found.addAll(scan(f.toString(), latin1(Files.readAllBytes(f))));
      }
    }
    return found;
  }

  /**
   * Every record (key, value, headers) of every topic on the broker, read from the beginning with a
   * plain consumer. Answers the findings; {@code counts} gets records per topic.
   */
  List<String> scanTopics(String bootstrap, Map<String, Long> counts) throws Exception {
    List<String> found = new ArrayList<>();
    Properties admin = new Properties();
    admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    admin.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
    List<TopicPartition> partitions = new ArrayList<>();
    try (Admin a = Admin.create(admin)) {
      Set<String> names =
          a.listTopics(new ListTopicsOptions().listInternal(true))
              .names()
              .get(30, TimeUnit.SECONDS);
      Map<String, TopicDescription> d =
          a.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS);
      for (TopicDescription t : d.values()) {
        t.partitions().forEach(p -> partitions.add(new TopicPartition(t.name(), p.partition())));
      }
    }
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
    Map<String, StringBuilder> perTopic = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (!caughtUp(consumer, end)) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("could not read every topic to its end within 90 s");
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          StringBuilder sb = perTopic.computeIfAbsent(r.topic(), k -> new StringBuilder());
          counts.merge(r.topic(), 1L, Long::sum);
          if (r.key() != null) {
            sb.append(latin1(r.key())).append('\n');
          }
          if (r.value() != null) {
            sb.append(latin1(r.value())).append('\n');
          }
          for (Header h : r.headers()) {
            sb.append(h.key()).append('=');
            if (h.value() != null) {
              sb.append(latin1(h.value()));
            }
            sb.append('\n');
          }
        }
      }
    }
    for (Map.Entry<String, StringBuilder> e : perTopic.entrySet()) {
      found.addAll(scan("topic " + e.getKey(), e.getValue().toString()));
    }
    return found;
  }

  private static boolean caughtUp(
      KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  /** Bytes as text without losing any (UTF-8 secrets here are ASCII). */
  static String latin1(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  /**
   * Collects the JIT configs handed to sandboxed runners while a scenario runs: the sandbox's root
   * helpers carry {@code ACTIONS_RUNNER_INPUT_JITCONFIG} in their environment (readable by root
   * only) until the runner is destroyed.
   */
  static final class JitCollector implements AutoCloseable {
    private static final byte[] VAR =
        "ACTIONS_RUNNER_INPUT_JITCONFIG=".getBytes(StandardCharsets.US_ASCII);
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final Thread thread;
    private volatile boolean running = true;

    JitCollector() {
      thread = new Thread(this::loop, "jit-collector");
      thread.setDaemon(true);
      thread.start();
    }

    private void loop() {
      long self = ProcessHandle.current().pid();
      while (running) {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
          for (Path p : procs.toList()) {
            String name = p.getFileName().toString();
            if (!name.chars().allMatch(Character::isDigit) || Long.parseLong(name) == self) {
              continue;
            }
            try {
              byte[] env = Files.readAllBytes(p.resolve("environ"));
              extract(env);
            } catch (IOException | RuntimeException e) {
              // exited or not ours to read
            }
          }
          Thread.sleep(50);
        } catch (InterruptedException e) {
          return;
        } catch (IOException e) {
          // retry
        }
      }
    }

    private void extract(byte[] env) {
      int start = 0;
      for (int i = 0; i <= env.length; i++) {
        if (i == env.length || env[i] == 0) {
          if (i - start > VAR.length && startsWith(env, start, VAR)) {
            seen.add(
                new String(
                    env, start + VAR.length, i - start - VAR.length, StandardCharsets.US_ASCII));
          }
          start = i + 1;
        }
      }
    }

    private static boolean startsWith(byte[] a, int off, byte[] prefix) {
      for (int i = 0; i < prefix.length; i++) {
        if (a[off + i] != prefix[i]) {
          return false;
        }
      }
      return true;
    }

    Collection<String> configs() {
      return new TreeSet<>(seen);
    }

    @Override
    public void close() throws InterruptedException {
      running = false;
      thread.interrupt();
      thread.join(5000);
    }
  }
}
