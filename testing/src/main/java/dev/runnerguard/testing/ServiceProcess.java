package dev.runnerguard.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A packaged service module ({@code <module>/target/quarkus-app/quarkus-run.jar}) run as its own
 * JVM, on a loopback port (free or fixed), logging to a file; it can be stopped, killed and
 * restarted on the same port.
 *
 * <pre>{@code
 * try (ServiceProcess gateway =
 *     ServiceProcess.builder("webhook-gateway")
 *         .systemProperty("kafka.bootstrap.servers", broker.bootstrapServers())
 *         .env("RUNNERGUARD_GITHUB_WEBHOOK_SECRET", secret) // secrets by env, never -D
 *         .start()) {
 *   gateway.post("/webhook", Map.of("X-GitHub-Event", "workflow_job"), body);
 *   gateway.restart(); // same settings, same port
 * }
 * }</pre>
 */
public final class ServiceProcess implements AutoCloseable {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

  private final String module;
  private final Path jar;
  private final Map<String, String> systemProperties;
  private final Map<String, String> env;
  private final String heap;
  private final Duration readyTimeout;
  private final int port;
  private final Path log;
  private volatile Process process;

  private ServiceProcess(Builder b, Path jar, int port, Path log) {
    this.module = b.module;
    this.jar = jar;
    this.systemProperties = Map.copyOf(b.systemProperties);
    this.env = Map.copyOf(b.env);
    this.heap = b.heap;
    this.readyTimeout = b.readyTimeout;
    this.port = port;
    this.log = log;
  }

  /** Settings for starting the packaged app of the module (a folder under the repository root). */
  public static Builder builder(String module) {
    return new Builder(module);
  }

  /**
   * Starts the module's packaged app with the given system properties on a free port and waits
   * until {@code /q/health/ready} answers 200.
   */
  public static ServiceProcess start(String module, Map<String, String> systemProperties)
      throws IOException, InterruptedException {
    return builder(module).systemProperties(systemProperties).start();
  }

  /** How to start a service; {@link #start()} starts it. */
  public static final class Builder {
    private final String module;
    private final Map<String, String> systemProperties = new LinkedHashMap<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private int port;
    private String heap = "256m";
    private Duration readyTimeout = Duration.ofSeconds(180);

    private Builder(String module) {
      this.module = Objects.requireNonNull(module, "module");
    }

    /** A {@code -D} system property (config that is no secret). */
    public Builder systemProperty(String name, String value) {
      systemProperties.put(name, value);
      return this;
    }

    /** {@code -D} system properties (config that is no secret). */
    public Builder systemProperties(Map<String, String> properties) {
      systemProperties.putAll(properties);
      return this;
    }

    /**
     * An environment variable of the service JVM. Secrets go this way: the command line of a
     * process is visible to every user of the machine, its environment is not.
     */
    public Builder env(String name, String value) {
      env.put(name, value);
      return this;
    }

    /** Environment variables of the service JVM, see {@link #env(String, String)}. */
    public Builder env(Map<String, String> variables) {
      env.putAll(variables);
      return this;
    }

    /** A fixed HTTP port; 0 (the default) picks a free one. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
      this.port = port;
      return this;
    }

    /** The maximum heap, as {@code -Xmx} takes it ({@code 256m} by default). */
    public Builder heap(String heap) {
      this.heap = Objects.requireNonNull(heap, "heap");
      return this;
    }

    /** How long to wait for {@code /q/health/ready} (90 s by default). */
    public Builder readyTimeout(Duration readyTimeout) {
      this.readyTimeout = Objects.requireNonNull(readyTimeout, "readyTimeout");
      return this;
    }

    /** Starts the service and waits until {@code /q/health/ready} answers 200. */
    public ServiceProcess start() throws IOException, InterruptedException {
      Path jar = repoRoot().resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
      if (!Files.isRegularFile(jar)) {
        throw new IllegalStateException(jar + " is missing: package the module first");
      }
      int chosen = port == 0 ? freePort() : port;
      Path log = Files.createTempFile("runnerguard-" + module + "-", ".log");
      ServiceProcess service = new ServiceProcess(this, jar, chosen, log);
      service.launch();
      return service;
    }
  }

  private synchronized void launch() throws IOException, InterruptedException {
    if (isAlive()) {
      throw new IllegalStateException(module + " still runs");
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx" + heap);
    command.add("-Dquarkus.http.port=" + port);
    command.add("-Dquarkus.http.host=127.0.0.1");
    systemProperties.forEach((k, v) -> command.add("-D" + k + "=" + v));
    command.add("-jar");
    command.add(jar.toString());
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().putAll(env);
    process = builder.start();
    awaitReady();
  }

  private void awaitReady() throws InterruptedException, IOException {
    long deadline = System.nanoTime() + readyTimeout.toNanos();
    while (System.nanoTime() < deadline) {
      Process p = process;
      if (p == null || !p.isAlive()) {
        throw new IllegalStateException(module + " exited early; log:\n" + tail());
      }
      try {
        if (get("/q/health/ready").statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    stop();
    throw new IllegalStateException(
        module + " not ready within " + readyTimeout + "; log:\n" + tail());
  }

  /** The module this process runs. */
  public String module() {
    return module;
  }

  /** The HTTP port; the same across {@link #restart()}. */
  public int port() {
    return port;
  }

  /** {@code http://127.0.0.1:<port>}. */
  public URI baseUri() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** GET on the service. */
  public HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(baseUri().resolve(path))
            .header("Accept", "text/plain, application/json")
            .timeout(Duration.ofSeconds(5))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** POST of the body with the given headers (a Content-Type among them, if any is wanted). */
  public HttpResponse<String> post(String path, Map<String, String> headers, byte[] body)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(baseUri().resolve(path))
            .timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(request::header);
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * The service's Prometheus metrics text, normalised so label sets read the same in the 0.0.4 text
   * format ({@code {a="b",}}) and in OpenMetrics ({@code {a="b"}}).
   */
  public String metrics() throws IOException, InterruptedException {
    return get("/q/metrics").body().replace(",}", "}");
  }

  /** The service's log (stdout and stderr), kept across restarts. */
  public Path log() {
    return log;
  }

  /** The last lines of the service's log. */
  public String tail() throws IOException {
    List<String> lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
  }

  /** The JVM's process id, or -1 when it is not running. */
  public long pid() {
    Process p = process;
    return p != null && p.isAlive() ? p.pid() : -1;
  }

  /** Whether the JVM still runs. */
  public boolean isAlive() {
    Process p = process;
    return p != null && p.isAlive();
  }

  /** Stops the service (SIGTERM: graceful shutdown), killing it if it takes over 20 s. */
  public synchronized void stop() throws InterruptedException {
    Process p = process;
    if (p == null) {
      return;
    }
    p.destroy();
    if (!p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** Kills the service (SIGKILL), like a crash: no shutdown hooks, nothing flushed. */
  public synchronized void kill() throws InterruptedException {
    Process p = process;
    if (p == null) {
      return;
    }
    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
  }

  /**
   * Stops the service (if it runs) and starts it again with the same settings on the same port;
   * waits until it is ready.
   */
  public synchronized void restart() throws IOException, InterruptedException {
    stop();
    launch();
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }

  /** The repository root: the nearest parent of the working folder holding {@code runnerguard}. */
  public static Path repoRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isRegularFile(dir.resolve("runnerguard"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException(
          "cannot find the repository root from " + Path.of("").toAbsolutePath());
    }
    return dir;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    }
  }
}
