package dev.runnerguard.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runnerguard.gateway.signature.WebhookSignatureVerifier;
import dev.runnerguard.testing.GitHubFixtures;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-loop poster of signed {@code workflow_job} {@code queued} webhooks to the gateway, one
 * unique job id each, for the webhook-to-provider-create benchmark. The payload is GitHub's real
 * queued payload (the gateway benchmark's fixture) turned into a private {@code octo-org}
 * repository job with the labels of the benchmark's dry-run rule, padded to an exact size. For
 * every job it reports the scheduled send time and the gateway's answer (time and status) on the
 * same epoch-microsecond clock the services use.
 */
final class JobWebhookLoad implements AutoCloseable {
  /** What the load reports per job. */
  interface Listener {
    void scheduled(long jobId, long scheduledMicros);

    void answered(long jobId, int status, long answeredMicros);

    void failed(long jobId, String error);
  }

  private static final String MARKER = "6999999999999";
  private static final long REQUEST_TIMEOUT_MS = 20_000;

  private final Vertx vertx;
  private final HttpClient client;
  private final Context context;
  private final int port;
  private final byte[] secret;
  private final byte[] template;
  private final int idOffset;
  private final AtomicLong nextJobId;
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile long epochMicrosAtBase;
  private volatile long nanoBase;

  JobWebhookLoad(int port, byte[] secret, int bodyBytes, long firstJobId) {
    this.port = port;
    this.secret = secret.clone();
    this.template = template(bodyBytes);
    this.idOffset = indexOf(template, MARKER.getBytes(StandardCharsets.US_ASCII));
    if (Long.toString(firstJobId).length() != MARKER.length()) {
      throw new IllegalArgumentException("job ids must have " + MARKER.length() + " digits");
    }
    this.nextJobId = new AtomicLong(firstJobId);
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(1));
    this.client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_1_1)
                .setKeepAlive(true)
                .setTcpNoDelay(true)
                .setConnectTimeout(5_000)
                .setDefaultHost("127.0.0.1")
                .setDefaultPort(port),
            new PoolOptions().setHttp1MaxSize(64).setMaxWaitQueueSize(-1));
    // one event loop: Vert.x gives this thread the same context every time (see HttpLoad)
    this.context = vertx.getOrCreateContext();
    anchor();
  }

  /** Anchors the monotonic clock to the wall clock (again before each loop: no drift builds up). */
  private void anchor() {
    java.time.Instant now = java.time.Instant.now();
    nanoBase = System.nanoTime();
    epochMicrosAtBase = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
  }

  /** Epoch microseconds now, from the monotonic clock anchored once to the wall clock. */
  long micros(long nanoTime) {
    return epochMicrosAtBase + (nanoTime - nanoBase) / 1_000;
  }

  /**
   * {@code rate * seconds} webhooks at fixed intervals, whatever the answers do; returns how many
   * were sent. Waits (bounded) for the last answers.
   */
  long openLoop(int rate, double seconds, Listener listener) throws InterruptedException {
    long total = Math.max(1, Math.round(rate * seconds));
    double intervalNs = 1e9 / rate;
    anchor();
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5);
    for (long i = 0; i < total; i++) {
      long due = start + (long) (i * intervalNs);
      long now;
      while ((now = System.nanoTime()) < due) {
        LockSupport.parkNanos(due - now);
      }
      long jobId = nextJobId.getAndIncrement();
      byte[] body = body(jobId);
      String signature = WebhookSignatureVerifier.sign(secret, body);
      long scheduled = micros(due);
      listener.scheduled(jobId, scheduled);
      inFlight.incrementAndGet();
      context.runOnContext(v -> send(jobId, body, signature, listener));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    return total;
  }

  private void send(long jobId, byte[] body, String signature, Listener listener) {
    RequestOptions request =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setHost("127.0.0.1")
            .setPort(port)
            .setURI("/webhook")
            .setIdleTimeout(REQUEST_TIMEOUT_MS)
            .putHeader("Content-Type", "application/json")
            .putHeader("User-Agent", "GitHub-Hookshot/runnerguard-bench")
            .putHeader("X-GitHub-Event", "workflow_job")
            .putHeader("X-GitHub-Delivery", UUID.randomUUID().toString())
            .putHeader("X-Hub-Signature-256", signature);
    client
        .request(request)
        .compose(req -> req.send(Buffer.buffer(body)))
        .compose(resp -> resp.body().map(b -> resp.statusCode()))
        .onComplete(
            ar -> {
              long now = micros(System.nanoTime());
              if (ar.succeeded()) {
                listener.answered(jobId, ar.result(), now);
              } else {
                listener.failed(jobId, String.valueOf(ar.cause()));
              }
              inFlight.decrementAndGet();
            });
  }

  private byte[] body(long jobId) {
    byte[] body = Arrays.copyOf(template, template.length);
    String digits = Long.toString(jobId);
    for (int i = 0; i < digits.length(); i++) {
      body[idOffset + i] = (byte) digits.charAt(i);
    }
    return body;
  }

  /** GitHub's queued payload as a private octo-org job with the dry-run rule's labels. */
  static byte[] template(int bodyBytes) {
    ObjectMapper json = new ObjectMapper();
    try {
      ObjectNode root = (ObjectNode) json.readTree(GitHubFixtures.payload("queued.payload.json"));
      ObjectNode job = (ObjectNode) root.get("workflow_job");
      job.put("id", Long.parseLong(MARKER));
      job.putArray("labels").add("self-hosted").add(LocalStack.DRY_RUN_LABEL);
      job.putArray("steps");
      ObjectNode repo = (ObjectNode) root.get("repository");
      repo.put("name", "bench-app");
      repo.put("full_name", "octo-org/bench-app");
      repo.put("private", true);
      ((ObjectNode) repo.get("owner")).put("login", "octo-org");
      root.putObject("organization").put("login", "octo-org");
      ((ObjectNode) root.get("installation")).put("id", 60000001L);
      root.put("runnerguard_bench_padding", "");
      int size = json.writeValueAsBytes(root).length;
      if (size > bodyBytes) {
        throw new IllegalArgumentException(
            "--body-bytes=" + bodyBytes + " is below the minimum of " + size);
      }
      root.put("runnerguard_bench_padding", "x".repeat(bodyBytes - size));
      byte[] body = json.writeValueAsBytes(root);
      if (body.length != bodyBytes) {
        throw new IllegalStateException("body is " + body.length + " bytes, not " + bodyBytes);
      }
      return body;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new IllegalStateException("the job id marker is missing from the payload");
  }

  @Override
  public void close() {
    try {
      client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      // closing anyway
    }
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      // closing anyway
    }
  }
}
