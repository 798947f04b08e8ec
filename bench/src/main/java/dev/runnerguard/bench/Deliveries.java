package dev.runnerguard.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runnerguard.gateway.signature.WebhookSignatureVerifier;
import dev.runnerguard.testing.GitHubFixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Signed {@code workflow_job} deliveries of an exact size: GitHub's real queued payload with a
 * unique {@code workflow_job.id} per delivery, a realistic {@code steps} array and a padding field
 * that brings the body to exactly the wanted number of bytes. Thread-safe.
 *
 * <p>Signing a 10 KB body (HMAC-SHA256) and drawing a random GUID cost the load generator more than
 * sending it, on the same cores as the gateway; {@link #prepare} does both before a phase's clock
 * starts, and {@link #next} then only copies the body template and writes the job id into it.
 */
final class Deliveries {
  /** One delivery: GitHub's delivery GUID, the job id, the body and its signature header. */
  record Delivery(String id, long jobId, byte[] body, String signature) {}

  /** A delivery signed ahead: its body is rebuilt from the job id when it is sent. */
  private record Signed(String id, long jobId, String signature) {}

  private static final long FIRST_JOB_ID = 7_000_000_000_000L; // 13 digits: a fixed-width slot
  private static final String MARKER = "6999999999999";

  private final byte[] secret;
  private final byte[] template;
  private final int idOffset;
  private final AtomicLong nextJobId = new AtomicLong(FIRST_JOB_ID);
  private final ConcurrentLinkedQueue<Signed> prepared = new ConcurrentLinkedQueue<>();
  private final AtomicInteger preparedCount = new AtomicInteger();
  private final LongAdder signedOnTheFly = new LongAdder();

  Deliveries(byte[] secret, int bodyBytes) {
    this.secret = secret.clone();
    this.template = template(bodyBytes);
    this.idOffset = indexOf(template, MARKER.getBytes(StandardCharsets.US_ASCII));
  }

  /** Signs deliveries ahead until {@code count} are ready (call before a phase's clock starts). */
  void prepare(long count) {
    long missing = Math.min(count, 5_000_000L) - preparedCount.get();
    for (long i = 0; i < missing; i++) {
      long jobId = nextJobId.getAndIncrement();
      prepared.add(
          new Signed(
              UUID.randomUUID().toString(),
              jobId,
              WebhookSignatureVerifier.sign(secret, body(jobId))));
      preparedCount.incrementAndGet();
    }
  }

  /** The next delivery: a fresh delivery id and job id; signed ahead when {@link #prepare}d. */
  Delivery next() {
    Signed signed = prepared.poll();
    if (signed != null) {
      preparedCount.decrementAndGet();
      return new Delivery(signed.id(), signed.jobId(), body(signed.jobId()), signed.signature());
    }
    signedOnTheFly.increment();
    long jobId = nextJobId.getAndIncrement();
    byte[] body = body(jobId);
    return new Delivery(
        UUID.randomUUID().toString(), jobId, body, WebhookSignatureVerifier.sign(secret, body));
  }

  /** Deliveries signed while sending because none was prepared (0 in a well-sized phase). */
  long signedOnTheFly() {
    return signedOnTheFly.sum();
  }

  private byte[] body(long jobId) {
    byte[] body = Arrays.copyOf(template, template.length);
    String digits = Long.toString(jobId);
    for (int i = 0; i < digits.length(); i++) {
      body[idOffset + i] = (byte) digits.charAt(i);
    }
    return body;
  }

  /** The body size every delivery has. */
  int bodyBytes() {
    return template.length;
  }

  private static byte[] template(int bodyBytes) {
    ObjectMapper json = new ObjectMapper();
    try {
      ObjectNode root = (ObjectNode) json.readTree(GitHubFixtures.payload("queued.payload.json"));
      ObjectNode job = (ObjectNode) root.get("workflow_job");
      job.put("id", Long.parseLong(MARKER));
      ArrayNode steps = job.putArray("steps");
      root.put("runnerguard_bench_padding", "");
      int size = json.writeValueAsBytes(root).length;
      if (size > bodyBytes) {
        throw new IllegalArgumentException(
            "--body-bytes=" + bodyBytes + " is below the minimum of " + size);
      }
      String[] names = {
        "Set up job",
        "Run actions/checkout@v4",
        "Run actions/setup-java@v4",
        "Run ./mvnw -B verify",
        "Upload test reports",
        "Post Run actions/checkout@v4",
        "Complete job"
      };
      for (int n = 1; ; n++) {
        ObjectNode step = json.createObjectNode();
        step.put("name", names[(n - 1) % names.length] + (n > names.length ? " (" + n + ")" : ""));
        step.put("status", "queued");
        step.putNull("conclusion");
        step.put("number", n);
        step.putNull("started_at");
        step.putNull("completed_at");
        steps.add(step);
        if (json.writeValueAsBytes(root).length > bodyBytes) {
          steps.remove(steps.size() - 1);
          break;
        }
      }
      int missing = bodyBytes - json.writeValueAsBytes(root).length;
      root.put("runnerguard_bench_padding", "x".repeat(missing));
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
    int found = -1;
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      if (found >= 0) {
        throw new IllegalStateException("the job id marker occurs twice in the payload");
      }
      found = i;
    }
    if (found < 0) {
      throw new IllegalStateException("the job id marker is missing from the payload");
    }
    return found;
  }
}
