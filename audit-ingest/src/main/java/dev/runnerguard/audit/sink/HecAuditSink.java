package dev.runnerguard.audit.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runnerguard.audit.config.AuditConfig;
import dev.runnerguard.audit.config.AuditSecrets;
import dev.runnerguard.audit.spi.AuditSink;
import dev.runnerguard.audit.spi.SinkException;
import dev.runnerguard.audit.store.StoredEvent;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

/**
 * Splunk HTTP Event Collector with indexer acknowledgement. Per batch: one {@code POST
 * /services/collector/event} carrying the events as concatenated JSON objects ({@code time}, {@code
 * host}, {@code source}, {@code sourcetype}, optional {@code index}, {@code event} = the OCSF
 * event, {@code fields.runnerguard_seq}) with {@code Authorization: Splunk <token>} and {@code
 * X-Splunk-Request-Channel: <channel uuid>}; Splunk answers an {@code ackId}; then {@code POST
 * /services/collector/ack?channel=...} with {@code {"acks":[id]}} is polled until it answers {@code
 * true}. Only then does {@link #deliver} return, so the forwarder advances the durable position
 * only over indexed events. No acknowledgement within {@code ack-timeout} (the indexer may have
 * lost the batch, e.g. a restart): retriable, the batch is sent again (at-least-once; Splunk may
 * then hold a duplicate, which {@code fields.runnerguard_seq} / {@code metadata.uid} identify).
 *
 * <p>Errors: connection failures, timeouts, 429, 5xx (code 9 "server busy") are retriable; 400 with
 * code 10/11 (channel missing or unknown, e.g. expired) is retriable on a new channel; 401 and 403
 * (token) and other 400s (bad data, bad index, acknowledgement disabled) are permanent. The token
 * is never logged and never part of a message.
 */
@ApplicationScoped
public class HecAuditSink implements AuditSink {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);

  private final AuditConfig.HecSink config;
  private final AuditSecrets secrets;
  private volatile HttpClient client;
  private volatile String authorization;
  private volatile String channel = UUID.randomUUID().toString();
  private final String host = PemTrust.localHostname();

  public HecAuditSink(AuditConfig config, AuditSecrets secrets) {
    this.config = config.sink().hec();
    this.secrets = secrets;
  }

  @Override
  public String name() {
    return "splunk-hec";
  }

  @Override
  public boolean enabled() {
    return config.enabled();
  }

  /** The current request channel (a new one after Splunk forgot it). */
  String channel() {
    return channel;
  }

  @Override
  public void deliver(List<StoredEvent> batch) throws Exception {
    HttpClient http = client();
    String base = base();
    String ch = channel;
    HttpRequest send =
        HttpRequest.newBuilder(URI.create(base + "/services/collector/event"))
            .timeout(config.requestTimeout())
            .header("Authorization", authorization)
            .header("X-Splunk-Request-Channel", ch)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body(batch)))
            .build();
    HttpResponse<String> r = exchange(http, send, "send");
    JsonNode answer = answer(r);
    if (r.statusCode() != 200) {
      throw classify(r.statusCode(), answer, "send");
    }
    if (!answer.path("ackId").canConvertToLong()) {
      throw SinkException.permanent(
          "HEC answered without an ackId: indexer acknowledgement is not enabled for this token");
    }
    awaitAck(http, base, ch, answer.path("ackId").asLong());
  }

  private void awaitAck(HttpClient http, String base, String ch, long ackId)
      throws SinkException, InterruptedException {
    long deadline = System.nanoTime() + config.ackTimeout().toNanos();
    long wait = Math.max(1, config.ackPollInterval().toMillis());
    byte[] query = ("{\"acks\":[" + ackId + "]}").getBytes(StandardCharsets.UTF_8);
    while (true) {
      Thread.sleep(wait);
      HttpRequest poll =
          HttpRequest.newBuilder(URI.create(base + "/services/collector/ack?channel=" + ch))
              .timeout(config.requestTimeout())
              .header("Authorization", authorization)
              .header("X-Splunk-Request-Channel", ch)
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(query))
              .build();
      HttpResponse<String> r;
      try {
        r = exchange(http, poll, "ack poll");
      } catch (SinkException unreachable) {
        if (System.nanoTime() > deadline) {
          throw unreachable;
        }
        wait = Math.min(1000, wait * 2);
        continue;
      }
      JsonNode answer = answer(r);
      if (r.statusCode() == 200) {
        if (answer.path("acks").path(Long.toString(ackId)).asBoolean(false)) {
          return;
        }
      } else {
        SinkException e = classify(r.statusCode(), answer, "ack poll");
        if (!e.retriable() || isChannelError(answer)) {
          // an unknown channel cannot answer for this ackId any more: send the batch again
          throw e;
        }
      }
      if (System.nanoTime() > deadline) {
        throw SinkException.retriable(
            "no indexer acknowledgement for ackId "
                + ackId
                + " within "
                + config.ackTimeout()
                + "; the batch is sent again");
      }
      wait = Math.min(1000, wait * 2);
    }
  }

  private HttpResponse<String> exchange(HttpClient http, HttpRequest request, String what)
      throws SinkException, InterruptedException {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw SinkException.retriable("HEC " + what + " failed: " + e.getClass().getSimpleName(), e);
    }
  }

  private static JsonNode answer(HttpResponse<String> r) {
    try {
      JsonNode n = JSON.readTree(r.body() == null ? "" : r.body());
      return n == null ? JSON.createObjectNode() : n;
    } catch (IOException e) {
      return JSON.createObjectNode();
    }
  }

  private static boolean isChannelError(JsonNode answer) {
    int code = answer.path("code").asInt(-1);
    return code == 10 || code == 11;
  }

  /** Classifies a non-200 HEC answer; HEC's {@code text} is Splunk's own, never our token. */
  SinkException classify(int status, JsonNode answer, String what) {
    int code = answer.path("code").asInt(-1);
    String text = answer.path("text").asText("");
    String msg = "HEC " + what + " answered " + status + " (code " + code + " " + text + ")";
    if (status == 400 && isChannelError(answer)) {
      channel = UUID.randomUUID().toString();
      return SinkException.retriable(msg + "; switching to a new channel");
    }
    if (status == 429 || status >= 500 || status == 408) {
      return SinkException.retriable(msg);
    }
    return SinkException.permanent(msg);
  }

  private byte[] body(List<StoredEvent> batch) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(batch.size() * 1024);
    for (StoredEvent e : batch) {
      ObjectNode n = JSON.createObjectNode();
      n.put("time", BigDecimal.valueOf(e.occurredAt().toEpochMilli()).divide(THOUSAND));
      n.put("host", host);
      n.put("source", config.source());
      n.put("sourcetype", config.sourcetype());
      config.index().filter(i -> !i.isBlank()).ifPresent(i -> n.put("index", i));
      n.set("event", e.ocsf());
      ObjectNode fields = n.putObject("fields");
      fields.put("runnerguard_seq", Long.toString(e.seq()));
      fields.put("class_uid", Integer.toString(e.classUid()));
      JSON.writeValue(out, n);
      out.write('\n');
    }
    return out.toByteArray();
  }

  private String base() throws SinkException {
    String url =
        config
            .url()
            .filter(u -> !u.isBlank())
            .orElseThrow(
                () ->
                    SinkException.permanent(
                        "runnerguard.audit.sink.hec.url is not set (RUNNERGUARD_AUDIT_SINK_HEC_URL)"));
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  private HttpClient client() throws SinkException {
    HttpClient c = client;
    if (c != null) {
      return c;
    }
    synchronized (this) {
      if (client == null) {
        String token;
        try {
          token =
              secrets
                  .hecToken()
                  .orElseThrow(
                      () ->
                          SinkException.permanent(
                              "no HEC token: set RUNNERGUARD_AUDIT_SINK_HEC_TOKEN or"
                                  + " RUNNERGUARD_AUDIT_SINK_HEC_TOKEN_FILE"));
        } catch (IllegalStateException e) {
          // SecretSettings' messages name the setting, never the value
          throw SinkException.permanent(e.getMessage());
        }
        authorization = "Splunk " + token;
        try {
          client =
              HttpClient.newBuilder()
                  .version(HttpClient.Version.HTTP_1_1)
                  .connectTimeout(config.requestTimeout())
                  .sslContext(PemTrust.context(config.caFile()))
                  .build();
        } catch (Exception e) {
          throw SinkException.permanent(
              "cannot set up TLS for HEC: " + e.getClass().getSimpleName());
        }
      }
      return client;
    }
  }

  @Override
  public String toString() {
    return "HecAuditSink[" + config.url().orElse("-") + "]";
  }
}
