package dev.runnerguard.bench;

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
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Posts signed deliveries to the gateway's {@code POST /webhook} on 127.0.0.1 with an asynchronous
 * Vert.x HTTP/1.1 client (keep-alive, a bounded connection pool). Two load shapes:
 *
 * <ul>
 *   <li>open loop: sends scheduled at fixed intervals whatever the answers do; latency is measured
 *       from the scheduled time, so queueing in the client or the server counts (no coordinated
 *       omission);
 *   <li>closed loop: C connections, each sending its next delivery as soon as the previous one is
 *       answered; latency from the actual send.
 * </ul>
 *
 * Every loop is bounded in count and time and stops by itself.
 */
final class HttpLoad implements AutoCloseable {
  private static final long REQUEST_TIMEOUT_MS = 20_000;
  private static final long DRAIN_TIMEOUT_MS = 60_000;

  /** How often an open loop's lanes look for due sends. */
  private static final long TICK_MS = 1;

  private final Vertx vertx;
  private final HttpClient client;

  /** The client's one event loop, where every lane sends (see the constructor). */
  private final Context context;

  /** Open-loop lanes: each sends every other delivery from its own timer. */
  private static final int LANES = 2;

  private final Deliveries deliveries;
  private final int port;
  private final int connections;
  private final AtomicInteger inFlight = new AtomicInteger();

  HttpLoad(int port, int connections, Deliveries deliveries) {
    this.port = port;
    this.connections = connections;
    this.deliveries = deliveries;
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(1));
    this.client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_1_1)
                .setKeepAlive(true)
                .setPipelining(false)
                .setTcpNoDelay(true)
                .setConnectTimeout(5_000)
                .setKeepAliveTimeout(0) // an open connection stays in the pool, see openAll()
                .setDefaultHost("127.0.0.1")
                .setDefaultPort(port),
            new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
    // One event loop for every lane. Vert.x hands a thread outside Vert.x the same context on
    // every getOrCreateContext(), so this has always been so (async-profiler: 96 % of the load
    // generator's samples on one event-loop thread). Lanes on two event loops, tried 2026-11-29
    // (60 s at 5000/s, back to back, the raw producer at ~46,000/s in both), cost more: the
    // machine 94 % busy instead of 79-81 %, the load generator 23 % of a core instead of 15 %, the
    // gateway 50 % instead of 45-47 %.
    this.context = vertx.getOrCreateContext();
  }

  /**
   * Sends {@code rate * seconds} deliveries at fixed intervals, then waits (bounded) for the last
   * answers. At most {@code maxInFlight} sends are outstanding; a send beyond is counted as a
   * generator-backlog failure instead.
   *
   * <p>Each of two lanes on the client's event loop sends its share (every other delivery) from a
   * timer that fires every {@value #TICK_MS} ms and sends all that are due, like wrk2. A thread
   * parking until each send and handing it to an event loop cost this machine two wake-ups per
   * delivery: at 4000/s the scheduling thread alone used 14 % of a core, most of it in the kernel,
   * next to the gateway it measures. A send waits at most a tick past its scheduled time, and that
   * wait counts in its latency.
   */
  void openLoop(int rate, int seconds, PhaseStats stats) throws InterruptedException {
    long total = (long) rate * seconds;
    int maxInFlight = (int) Math.min(20_000L, Math.max(1_000L, rate * 10L));
    double intervalNs = 1e9 / rate;
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5);
    stats.start(start);
    CountDownLatch allSent = new CountDownLatch(LANES);
    for (int lane = 0; lane < LANES; lane++) {
      OpenLane openLane =
          new OpenLane(lane, LANES, total, start, intervalNs, maxInFlight, stats, allSent);
      context.runOnContext(v -> openLane.tick());
    }
    if (!allSent.await(seconds * 1000L + DRAIN_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
      stats.failed("open loop did not finish sending", start, System.nanoTime());
    }
    drain(stats);
  }

  /** Every {@code step}-th delivery of an open loop from {@code first}, sent on one event loop. */
  private final class OpenLane {
    private final int step;
    private final long total;
    private final long start;
    private final double intervalNs;
    private final int maxInFlight;
    private final PhaseStats stats;
    private final CountDownLatch allSent;
    private long next;

    OpenLane(
        int first,
        int step,
        long total,
        long start,
        double intervalNs,
        int maxInFlight,
        PhaseStats stats,
        CountDownLatch allSent) {
      this.next = first;
      this.step = step;
      this.total = total;
      this.start = start;
      this.intervalNs = intervalNs;
      this.maxInFlight = maxInFlight;
      this.stats = stats;
      this.allSent = allSent;
    }

    /** Sends every delivery due by now, then sets the timer for the next tick. */
    void tick() {
      long now = System.nanoTime();
      for (; next < total && due(next) <= now; next += step) {
        long due = due(next);
        if (inFlight.get() >= maxInFlight) {
          stats.dropped(due);
          continue;
        }
        inFlight.incrementAndGet();
        stats.sent();
        send(deliveries.next(), due, stats, null);
      }
      if (next >= total) {
        allSent.countDown();
        return;
      }
      long waitMs = Math.max(TICK_MS, TimeUnit.NANOSECONDS.toMillis(due(next) - now));
      vertx.setTimer(waitMs, id -> tick());
    }

    private long due(long i) {
      return start + (long) (i * intervalNs);
    }
  }

  /**
   * Opens every connection of the pool at once (one send on each), at the start of the warm-up.
   * Open connections are never evicted, so later phases find them all open. A step at a higher rate
   * used to open new connections mid-step, and the gateway's JIT then threw away its compiled Netty
   * read loop (C2 had compiled it without the branches a new connection takes): 60 methods made not
   * entrant at the step's start (-XX:+PrintCompilation), and 300-900 ms answers for its first
   * seconds. Returns the answers' failures, if any.
   */
  Map<String, Long> openAll() throws InterruptedException {
    PhaseStats stats = new PhaseStats(202, false);
    closedLoop(connections, 10, connections, stats);
    return stats.result("open connections", 0, 1, Double.NaN).failures();
  }

  /** The connection pool's size. */
  int connections() {
    return connections;
  }

  /**
   * {@code concurrency} connections each send back to back for {@code seconds} (and at most {@code
   * maxRequests} in all), then the loop waits (bounded) for the last answers.
   */
  void closedLoop(int concurrency, int seconds, long maxRequests, PhaseStats stats)
      throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + TimeUnit.SECONDS.toNanos(seconds);
    AtomicLong budget = new AtomicLong(maxRequests);
    CountDownLatch lanesDone = new CountDownLatch(concurrency);
    stats.start(start);
    for (int lane = 0; lane < concurrency; lane++) {
      context.runOnContext(v -> nextInLane(deadline, budget, lanesDone, stats));
    }
    if (!lanesDone.await(seconds * 1000L + DRAIN_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
      stats.failed("closed loop did not finish", deadline, System.nanoTime());
    }
  }

  private void nextInLane(
      long deadline, AtomicLong budget, CountDownLatch lanesDone, PhaseStats stats) {
    if (System.nanoTime() >= deadline || budget.decrementAndGet() < 0) {
      lanesDone.countDown();
      return;
    }
    Deliveries.Delivery d = deliveries.next();
    inFlight.incrementAndGet();
    stats.sent();
    send(d, System.nanoTime(), stats, () -> nextInLane(deadline, budget, lanesDone, stats));
  }

  private void send(Deliveries.Delivery d, long scheduledNs, PhaseStats stats, Runnable then) {
    RequestOptions request =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setHost("127.0.0.1")
            .setPort(port)
            .setURI("/webhook")
            .setConnectTimeout(REQUEST_TIMEOUT_MS)
            .setIdleTimeout(REQUEST_TIMEOUT_MS)
            .putHeader("Content-Type", "application/json")
            .putHeader("User-Agent", "GitHub-Hookshot/runnerguard-bench")
            .putHeader("X-GitHub-Event", "workflow_job")
            .putHeader("X-GitHub-Delivery", d.id())
            .putHeader("X-Hub-Signature-256", d.signature());
    client
        .request(request)
        .compose(req -> req.send(Buffer.buffer(d.body())))
        .compose(resp -> resp.body().map(body -> resp.statusCode()))
        .onComplete(
            ar -> {
              long now = System.nanoTime();
              if (ar.succeeded()) {
                stats.answered(d.id(), ar.result(), scheduledNs, now);
              } else {
                stats.failed(ar.cause(), scheduledNs, now);
              }
              inFlight.decrementAndGet();
              if (then != null) {
                then.run();
              }
            });
  }

  private void drain(PhaseStats stats) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_TIMEOUT_MS);
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    int left = inFlight.get();
    for (int i = 0; i < left; i++) {
      stats.failed("no answer within the drain timeout", deadline, System.nanoTime());
    }
  }

  /** Sends still unanswered (after a drain timed out). */
  int inFlight() {
    return inFlight.get();
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
