package dev.runnerguard.audit.sink;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A <b>simulator</b> of Splunk's HTTP Event Collector with indexer acknowledgement, written from
 * Splunk's documented API (no real Splunk can run here), served over real HTTP on 127.0.0.1:
 *
 * <ul>
 *   <li>{@code POST /services/collector/event}: {@code Authorization: Splunk <token>} (missing: 401
 *       code 2 "Token is required"; wrong: 403 code 4 "Invalid token"); channel from {@code
 *       X-Splunk-Request-Channel} or {@code ?channel=} (missing: 400 code 10 "Data channel is
 *       missing"); body = concatenated JSON event objects, each with a non-null {@code event} (else
 *       400 code 12 "Event field is required" / 13 "Event field cannot be blank", nothing indexed);
 *       success: 200 {@code {"text":"Success","code":0,"ackId":n}}, ackIds counting from 0 per
 *       channel.
 *   <li>{@code POST /services/collector/ack?channel=<c>} with {@code {"acks":[ids]}}: 200 {@code
 *       {"acks":{"id":bool}}}; an id is true once its request was indexed (here: after {@link
 *       #indexAfterPolls} polls), false while pending and for ids it does not know; an unknown
 *       channel: 400 code 11 "Invalid data channel".
 * </ul>
 *
 * A stop ({@link #stop()}) is an outage (connections refused); a start on the same port is Splunk
 * back after a restart: what was indexed stays, channels and pending acknowledgements are gone.
 * {@link #loseNextRequests} makes the indexer accept requests but never index them (ack stays
 * false), like an indexer crash before the data was written.
 */
public final class HecSimulator implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String token;
  private final int port;
  private HttpServer server;

  /** Indexed events by metadata.uid of the OCSF event: how many times each was indexed. */
  private final Map<String, Integer> indexed = new ConcurrentHashMap<>();

  private final List<JsonNode> indexedEvents = new ArrayList<>();
  private final Map<String, Channel> channels = new ConcurrentHashMap<>();
  private final AtomicInteger eventRequests = new AtomicInteger();
  private final AtomicInteger ackPolls = new AtomicInteger();
  private final AtomicInteger lose = new AtomicInteger();
  private final List<String> authorizations = new ArrayList<>();
  private volatile int indexAfterPolls = 1;

  private static final class Channel {
    int nextAckId;
    final Map<Integer, Pending> pending = new HashMap<>();
    final Map<Integer, Boolean> done = new HashMap<>();
  }

  private static final class Pending {
    final List<JsonNode> events;
    final boolean lost;
    int polls;

    Pending(List<JsonNode> events, boolean lost) {
      this.events = events;
      this.lost = lost;
    }
  }

  /** A simulator that will serve on 127.0.0.1:port and accept only this token. */
  public HecSimulator(int port, String token) {
    this.token = token;
    this.port = port;
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  public synchronized void start() throws IOException {
    if (server != null) {
      return;
    }
    channels.clear();
    HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
    s.createContext("/services/collector/event", this::event);
    s.createContext("/services/collector/ack", this::ack);
    s.setExecutor(Executors.newFixedThreadPool(2));
    s.start();
    server = s;
  }

  /** An outage: the port refuses connections until {@link #start()}. */
  public synchronized void stop() {
    if (server != null) {
      server.stop(0);
      ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
      server = null;
    }
  }

  @Override
  public void close() {
    stop();
  }

  /** Acks turn true after this many polls of a request (0: at once). */
  public void indexAfterPolls(int polls) {
    this.indexAfterPolls = polls;
  }

  /** The next n event requests are answered Success but never indexed (ack stays false). */
  public void loseNextRequests(int n) {
    lose.set(n);
  }

  public Map<String, Integer> indexed() {
    return Map.copyOf(indexed);
  }

  public synchronized List<JsonNode> indexedEvents() {
    return List.copyOf(indexedEvents);
  }

  public int eventRequests() {
    return eventRequests.get();
  }

  public int ackPolls() {
    return ackPolls.get();
  }

  public synchronized List<String> authorizations() {
    return List.copyOf(authorizations);
  }

  private boolean authorised(HttpExchange ex) throws IOException {
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    synchronized (this) {
      authorizations.add(String.valueOf(auth));
    }
    if (auth == null || !auth.startsWith("Splunk ")) {
      answer(ex, 401, "{\"text\":\"Token is required\",\"code\":2}");
      return false;
    }
    if (!auth.substring("Splunk ".length()).equals(token)) {
      answer(ex, 403, "{\"text\":\"Invalid token\",\"code\":4}");
      return false;
    }
    return true;
  }

  private static String channel(HttpExchange ex) {
    String ch = ex.getRequestHeaders().getFirst("X-Splunk-Request-Channel");
    if (ch == null) {
      URI u = ex.getRequestURI();
      String q = u.getQuery();
      if (q != null) {
        for (String p : q.split("&")) {
          if (p.startsWith("channel=")) {
            ch = p.substring("channel=".length());
          }
        }
      }
    }
    return ch;
  }

  private void event(HttpExchange ex) throws IOException {
    try (ex) {
      if (!"POST".equals(ex.getRequestMethod())) {
        answer(ex, 405, "{\"text\":\"Method not allowed\",\"code\":-1}");
        return;
      }
      if (!authorised(ex)) {
        return;
      }
      String ch = channel(ex);
      if (ch == null || ch.isBlank()) {
        answer(ex, 400, "{\"text\":\"Data channel is missing\",\"code\":10}");
        return;
      }
      byte[] body = ex.getRequestBody().readAllBytes();
      List<JsonNode> events = new ArrayList<>();
      try (MappingIterator<JsonNode> it =
          JSON.readerFor(JsonNode.class)
              .without(
                  com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
              .readValues(JSON.getFactory().createParser(body))) {
        int i = 0;
        while (it.hasNext()) {
          JsonNode e = it.next();
          if (!e.has("event") || e.get("event").isNull()) {
            answer(
                ex,
                400,
                "{\"text\":\"Event field is required\",\"code\":12,\"invalid-event-number\":"
                    + i
                    + "}");
            return;
          }
          if (e.get("event").isTextual() && e.get("event").asText().isBlank()) {
            answer(
                ex,
                400,
                "{\"text\":\"Event field cannot be blank\",\"code\":13,\"invalid-event-number\":"
                    + i
                    + "}");
            return;
          }
          events.add(e);
          i++;
        }
      } catch (IOException | RuntimeException bad) {
        answer(ex, 400, "{\"text\":\"Invalid data format\",\"code\":6}");
        return;
      }
      if (events.isEmpty()) {
        answer(ex, 400, "{\"text\":\"No data\",\"code\":5}");
        return;
      }
      eventRequests.incrementAndGet();
      int ackId;
      synchronized (this) {
        Channel c = channels.computeIfAbsent(ch, k -> new Channel());
        ackId = c.nextAckId++;
        boolean lost = lose.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
        Pending p = new Pending(events, lost);
        c.pending.put(ackId, p);
        if (indexAfterPolls == 0 && !lost) {
          index(c, ackId, p);
        }
      }
      answer(ex, 200, "{\"text\":\"Success\",\"code\":0,\"ackId\":" + ackId + "}");
    }
  }

  private void index(Channel c, int ackId, Pending p) {
    c.pending.remove(ackId);
    c.done.put(ackId, true);
    for (JsonNode e : p.events) {
      indexedEvents.add(e);
      indexed.merge(e.path("event").path("metadata").path("uid").asText(), 1, Integer::sum);
    }
  }

  private void ack(HttpExchange ex) throws IOException {
    try (ex) {
      if (!authorised(ex)) {
        return;
      }
      String ch = channel(ex);
      if (ch == null || ch.isBlank()) {
        answer(ex, 400, "{\"text\":\"Data channel is missing\",\"code\":10}");
        return;
      }
      ackPolls.incrementAndGet();
      JsonNode q;
      try {
        q = JSON.readTree(ex.getRequestBody().readAllBytes());
      } catch (IOException bad) {
        answer(ex, 400, "{\"text\":\"Invalid data format\",\"code\":6}");
        return;
      }
      ObjectNode out = JSON.createObjectNode();
      ObjectNode acks = out.putObject("acks");
      synchronized (this) {
        Channel c = channels.get(ch);
        if (c == null) {
          answer(ex, 400, "{\"text\":\"Invalid data channel\",\"code\":11}");
          return;
        }
        for (JsonNode idNode : q.path("acks")) {
          int id = idNode.asInt();
          Pending p = c.pending.get(id);
          if (p != null && !p.lost && ++p.polls > indexAfterPolls) {
            index(c, id, p);
          }
          acks.put(Integer.toString(id), c.done.getOrDefault(id, false));
        }
      }
      answer(ex, 200, out.toString());
    }
  }

  private static void answer(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream o = ex.getResponseBody()) {
      o.write(b);
    }
  }

  static {
    JSON.getFactory().enable(JsonParser.Feature.AUTO_CLOSE_SOURCE);
  }
}
