package dev.runnerguard.githubsim;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tiny loopback webhook receiver: verifies each delivery's X-Hub-Signature-256 with the same HMAC
 * and records "jobId:action:sigOk:headersOk". The queue lives in the system properties so the test
 * (another class loader) sees it.
 */
public class WebhookReceiver implements QuarkusTestResourceLifecycleManager {

  static final String KEY = "githubsim.test.webhooks";
  static final String SECRET = "github-sim-test-secret"; // = failsafe's RUNNERGUARD_WEBHOOK_SECRET
  private static final Pattern ACTION = Pattern.compile("^\\{\"action\":\"([a-z_]+)\"");
  private static final Pattern JOB_ID = Pattern.compile("\"workflow_job\":\\{\"id\":(\\d+)");
  private HttpServer server;

  @SuppressWarnings("unchecked")
  static Queue<String> recorded() {
    return (Queue<String>)
        System.getProperties().computeIfAbsent(KEY, k -> new ConcurrentLinkedQueue<String>());
  }

  @Override
  public Map<String, String> start() {
    Queue<String> queue = recorded();
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    server.createContext(
        "/webhook",
        ex -> {
          byte[] body = ex.getRequestBody().readAllBytes();
          String sig = ex.getRequestHeaders().getFirst("X-Hub-Signature-256");
          boolean sigOk =
              WebhookSender.signature(SECRET.getBytes(StandardCharsets.UTF_8), body).equals(sig);
          boolean headersOk =
              "workflow_job".equals(ex.getRequestHeaders().getFirst("X-GitHub-Event"))
                  && ex.getRequestHeaders().getFirst("X-GitHub-Delivery") != null
                  && "GitHub-Hookshot/sim".equals(ex.getRequestHeaders().getFirst("User-Agent"))
                  && "application/json".equals(ex.getRequestHeaders().getFirst("Content-Type"));
          String json = new String(body, StandardCharsets.UTF_8);
          Matcher a = ACTION.matcher(json);
          Matcher j = JOB_ID.matcher(json);
          queue.add(
              (j.find() ? j.group(1) : "?")
                  + ":"
                  + (a.find() ? a.group(1) : "?")
                  + ":"
                  + sigOk
                  + ":"
                  + headersOk);
          ex.sendResponseHeaders(sigOk ? 202 : 401, -1);
          ex.close();
        });
    server.start();
    return Map.of(
        "runnerguard.sim.webhook-url",
        "http://127.0.0.1:" + server.getAddress().getPort() + "/webhook");
  }

  @Override
  public void stop() {
    if (server != null) {
      server.stop(0);
    }
  }
}
