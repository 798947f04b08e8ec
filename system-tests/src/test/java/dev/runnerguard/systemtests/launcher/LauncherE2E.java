package dev.runnerguard.systemtests.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.runnerguard.launcher.TopicPlan;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Runs the real {@code ./runnerguard} against a temporary RUNNERGUARD_HOME with every port set to a
 * free one, so it never touches a stack a developer runs: up, up again, status, down, and a port
 * that is taken.
 */
class LauncherE2E {

  private static final Duration UP_TIMEOUT = Duration.ofMinutes(10);
  private static final Duration CMD_TIMEOUT = Duration.ofMinutes(2);
  private static final Pattern SERVICE_LINE =
      Pattern.compile("^\\s*\"([a-z0-9-]+)\\|(RUNNERGUARD_[A-Z_]+)\\|(\\d+)\"\\s*$");

  private Path root;
  private Path home;
  private final Map<String, String> env = new LinkedHashMap<>();
  private int kafkaPort;
  private int pgPort;
  private final Map<String, Integer> servicePorts = new LinkedHashMap<>();

  record Result(int exitCode, String output) {}

  @BeforeEach
  void setUp() throws IOException {
    assumeThat(Path.of("/proc/self/cmdline")).exists();
    root = findRoot();
    home = Files.createTempDirectory("runnerguard-e2e-");
    List<Integer> ports = freePorts(3 + 16);
    kafkaPort = ports.get(0);
    pgPort = ports.get(2);
    env.put("RUNNERGUARD_HOME", home.toString());
    env.put("RUNNERGUARD_KAFKA_PORT", Integer.toString(kafkaPort));
    env.put("RUNNERGUARD_KAFKA_CONTROLLER_PORT", Integer.toString(ports.get(1)));
    env.put("RUNNERGUARD_POSTGRES_PORT", Integer.toString(pgPort));
    env.put("RUNNERGUARD_START_TIMEOUT", "180");

    // Every service of the script's table gets a free port; the packaged ones are started.
    int next = 3;
    List<String> packaged = new ArrayList<>();
    for (String line : Files.readAllLines(root.resolve("runnerguard"))) {
      Matcher m = SERVICE_LINE.matcher(line);
      if (m.matches()) {
        int port = ports.get(next++);
        env.put(m.group(2), Integer.toString(port));
        String module = m.group(1);
        if (Files.isRegularFile(root.resolve(module + "/target/quarkus-app/quarkus-run.jar"))) {
          packaged.add(module);
          servicePorts.put(module, port);
        } else if (Files.isDirectory(root.resolve(module))) {
          System.err.println("LauncherE2E: " + module + " is not packaged; not started");
        }
      }
    }
    env.put("RUNNERGUARD_SERVICES", packaged.isEmpty() ? "none" : String.join(",", packaged));
  }

  @AfterEach
  void tearDown() throws Exception {
    if (home != null) {
      run(CMD_TIMEOUT, "down");
      try (Stream<Path> all = Files.walk(home)) {
        all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  void upStartsEverythingAndDownLeavesNothingBehind() throws Exception {
    Result up = run(UP_TIMEOUT, "up");
    assertThat(up.exitCode()).as(up.output()).isZero();
    assertThat(up.output())
        .contains("RunnerGuard is up.")
        .contains("COMPONENT")
        .contains("localhost:" + kafkaPort)
        .contains("jdbc:postgresql://localhost:" + pgPort + "/runnerguard")
        .contains("./runnerguard down");

    assertKafkaHasThePlatformTopics();
    assertPostgresAnswers();
    for (Map.Entry<String, Integer> s : servicePorts.entrySet()) {
      assertThat(httpStatus("http://127.0.0.1:" + s.getValue() + "/q/health/ready"))
          .as(s.getKey() + " /q/health/ready")
          .isEqualTo(200);
    }

    Map<String, String> pids = pids();
    assertThat(pids)
        .containsKeys("kafka", "postgres")
        .containsKeys(servicePorts.keySet().toArray(String[]::new));

    Result again = run(UP_TIMEOUT, "up");
    assertThat(again.exitCode()).as(again.output()).isZero();
    assertThat(again.output()).contains("already running");
    assertThat(pids()).isEqualTo(pids);

    Result status = run(CMD_TIMEOUT, "status");
    assertThat(status.exitCode()).as(status.output()).isZero();
    assertThat(status.output()).contains("running").doesNotContain("DOWN");
    for (String component : pids.keySet()) {
      assertThat(status.output())
          .containsPattern(component + "\\s+running\\s+" + pids.get(component));
    }

    Result down = run(CMD_TIMEOUT, "down");
    assertThat(down.exitCode()).as(down.output()).isZero();
    assertThat(processesOf(home)).as("processes left behind").isEmpty();
    assertThat(pids()).isEmpty();
    List<Integer> used = new ArrayList<>(List.of(kafkaPort, pgPort));
    used.add(Integer.parseInt(env.get("RUNNERGUARD_KAFKA_CONTROLLER_PORT")));
    used.addAll(servicePorts.values());
    for (int port : used) {
      assertThat(portIsFree(port)).as("port " + port + " free after down").isTrue();
    }

    Result downAgain = run(CMD_TIMEOUT, "down");
    assertThat(downAgain.exitCode()).isZero();
    assertThat(downAgain.output()).contains("not running");
  }

  @Test
  void upFailsClearlyWhenAPortIsTakenAndStartsNothing() throws Exception {
    try (ServerSocket squatter = new ServerSocket(kafkaPort, 1, InetAddress.getLoopbackAddress())) {
      Result up = run(UP_TIMEOUT, "up");
      assertThat(up.exitCode()).as(up.output()).isNotZero();
      assertThat(up.output()).contains("port " + kafkaPort).contains("already in use");
      assertThat(processesOf(home)).as("processes started despite the failure").isEmpty();
      assertThat(pids()).isEmpty();
    }
  }

  @Test
  void unknownCommandPrintsUsage() throws Exception {
    Result r = run(CMD_TIMEOUT, "frobnicate");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.output()).contains("Usage: ./runnerguard");
  }

  private void assertKafkaHasThePlatformTopics() throws Exception {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + kafkaPort);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "20000");
    try (Admin admin = Admin.create(props)) {
      Set<String> names = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      assertThat(names)
          .containsAll(TopicPlan.topics().stream().map(TopicPlan.TopicSpec::name).toList())
          .anyMatch(n -> n.contains(".dlt."));
    }
  }

  private void assertPostgresAnswers() throws Exception {
    String url = "jdbc:postgresql://localhost:" + pgPort + "/runnerguard";
    DriverManager.setLoginTimeout(10);
    try (Connection c = DriverManager.getConnection(url, "runnerguard", "runnerguard");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select 1")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getInt(1)).isEqualTo(1);
    }
  }

  private static int httpStatus(String url) throws Exception {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build();
    return client.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  /** component -> pid, from the state dir's pid files. */
  private Map<String, String> pids() throws IOException {
    Path run = home.resolve("run");
    Map<String, String> out = new TreeMap<>();
    if (!Files.isDirectory(run)) {
      return out;
    }
    try (Stream<Path> files = Files.list(run)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".pid")).toList()) {
        String name = f.getFileName().toString().replaceFirst("\\.pid$", "");
        out.put(name, Files.readString(f).trim());
      }
    }
    return out;
  }

  /** Live processes whose command line mentions the state dir (bounded wait for exits). */
  private static List<String> processesOf(Path home) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    List<String> found;
    do {
      found = scan(home.toString());
      if (found.isEmpty()) {
        return found;
      }
      Thread.sleep(250);
    } while (System.nanoTime() < deadline);
    return found;
  }

  private static List<String> scan(String needle) throws IOException {
    long self = ProcessHandle.current().pid();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      return procs
          .filter(p -> p.getFileName().toString().matches("\\d+"))
          .filter(p -> Long.parseLong(p.getFileName().toString()) != self)
          .map(
              p -> {
                try {
                  String cmd =
                      new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                          .replace('\0', ' ');
                  return cmd.contains(needle) ? p.getFileName() + ": " + cmd : null;
                } catch (IOException | UncheckedIOException e) {
                  return null; // exited meanwhile
                }
              })
          .filter(s -> s != null)
          .collect(Collectors.toList());
    }
  }

  private static boolean portIsFree(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static List<Integer> freePorts(int n) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
      }
      return sockets.stream().map(ServerSocket::getLocalPort).toList();
    } finally {
      for (ServerSocket s : sockets) {
        s.close();
      }
    }
  }

  private Result run(Duration timeout, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(root.resolve("runnerguard").toString());
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile("runnerguard-e2e-out-", ".txt");
    try {
      ProcessBuilder pb =
          new ProcessBuilder(cmd)
              .directory(root.toFile())
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      pb.environment().putAll(env);
      Process p = pb.start();
      if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError(
            "./runnerguard "
                + String.join(" ", args)
                + " did not finish within "
                + timeout
                + ":\n"
                + Files.readString(out));
      }
      String output = Files.readString(out);
      System.out.println("$ ./runnerguard " + String.join(" ", args) + "\n" + output);
      return new Result(p.exitValue(), output);
    } finally {
      Files.deleteIfExists(out);
    }
  }

  private static Path findRoot() {
    Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      if (Files.isRegularFile(d.resolve("runnerguard"))
          && Files.isRegularFile(d.resolve("pom.xml"))) {
        return d;
      }
    }
    throw new IllegalStateException("no ./runnerguard above " + dir);
  }
}
