package dev.runnerguard.githubsim;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runnerguard.support.SecretSettings;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jboss.logging.Logger;

/**
 * Sends signed {@code workflow_job} deliveries, one at a time in order (so queued precedes
 * in_progress precedes completed), never retrying (GitHub does not), and records each outcome.
 */
@ApplicationScoped
public class WebhookSender {

  private static final Logger LOG = Logger.getLogger(WebhookSender.class);
  static final String SECRET_ENV = "RUNNERGUARD_WEBHOOK_SECRET";
  static final String SECRET_FILE_ENV = "RUNNERGUARD_WEBHOOK_SECRET_FILE";
  private static final int MAX_RECORDED = 10_000;

  @Inject SimConfig config;
  @Inject ObjectMapper mapper;
  @Inject MeterRegistry registry;

  private byte[] secret;
  private HttpClient client;
  private ExecutorService executor;
  private final Deque<Map<String, Object>> deliveries = new ArrayDeque<>();

  @PostConstruct
  void init() {
    secret = loadSecret(System.getenv());
    if (secret == null) {
      LOG.warnf(
          "github-sim: no webhook secret (%s or %s): deliveries go unsigned",
          SECRET_ENV, SECRET_FILE_ENV);
    }
    client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "github-sim-webhooks");
              t.setDaemon(true);
              return t;
            });
  }

  @PreDestroy
  void close() {
    executor.shutdownNow();
  }

  /**
   * The secret from env or a file named by env, by the same rule as the gateway ({@link
   * SecretSettings}: a JVM system property is refused); null when neither is set.
   */
  static byte[] loadSecret(Map<String, String> env) {
    return SecretSettings.load(
            SecretSettings.Source.of(
                name -> Optional.ofNullable(env.get(SecretSettings.envName(name)))),
            "runnerguard.webhook.secret",
            "runnerguard.webhook.secret-file")
        .map(value -> value.getBytes(StandardCharsets.UTF_8))
        .orElse(null);
  }

  static String signature(byte[] secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Enqueues one delivery (or records it as dropped). */
  public void send(String action, long jobId, Map<String, Object> payload, boolean drop) {
    String deliveryId = UUID.randomUUID().toString();
    if (drop) {
      record(deliveryId, action, jobId, 0, "dropped", "fault injection: drop_next_completed", 0);
      return;
    }
    byte[] body;
    try {
      body = mapper.writeValueAsBytes(payload);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    executor.execute(() -> deliver(deliveryId, action, jobId, body));
  }

  private void deliver(String deliveryId, String action, long jobId, byte[] body) {
    long t0 = System.nanoTime();
    try {
      HttpRequest.Builder req =
          HttpRequest.newBuilder(URI.create(config.webhookUrl()))
              .timeout(config.webhookTimeout())
              .header("Content-Type", "application/json")
              .header("User-Agent", "GitHub-Hookshot/sim")
              .header("X-GitHub-Event", "workflow_job")
              .header("X-GitHub-Delivery", deliveryId)
              .header("X-GitHub-Hook-ID", "424242")
              .header("X-GitHub-Hook-Installation-Target-Type", "organization")
              .POST(HttpRequest.BodyPublishers.ofByteArray(body));
      if (secret != null) {
        req.header("X-Hub-Signature-256", signature(secret, body));
      }
      HttpResponse<Void> resp = client.send(req.build(), HttpResponse.BodyHandlers.discarding());
      int status = resp.statusCode();
      String outcome = status >= 200 && status < 300 ? "delivered" : "failed";
      record(deliveryId, action, jobId, status, outcome, null, millisSince(t0));
    } catch (IOException e) {
      record(deliveryId, action, jobId, 0, "error", e.getClass().getSimpleName(), millisSince(t0));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      record(deliveryId, action, jobId, 0, "error", e.getClass().getSimpleName(), millisSince(t0));
    }
  }

  private static long millisSince(long t0) {
    return (System.nanoTime() - t0) / 1_000_000;
  }

  private void record(
      String deliveryId,
      String action,
      long jobId,
      int status,
      String outcome,
      String error,
      long millis) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("delivery_id", deliveryId);
    d.put("event", "workflow_job");
    d.put("action", action);
    d.put("job_id", jobId);
    d.put("status_code", status);
    d.put("outcome", outcome);
    d.put("error", error);
    d.put("duration_ms", millis);
    d.put("at", Instant.now().toString());
    synchronized (deliveries) {
      deliveries.addLast(d);
      while (deliveries.size() > MAX_RECORDED) {
        deliveries.removeFirst();
      }
    }
    registry.counter("runnerguard.sim.webhooks", "action", action, "outcome", outcome).increment();
  }

  public List<Map<String, Object>> deliveries() {
    synchronized (deliveries) {
      return new ArrayList<>(deliveries);
    }
  }
}
