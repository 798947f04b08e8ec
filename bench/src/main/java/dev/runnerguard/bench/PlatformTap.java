package dev.runnerguard.bench;

import dev.runnerguard.schemas.avro.ProviderEvent;
import dev.runnerguard.schemas.avro.ProviderEventKind;
import dev.runnerguard.schemas.avro.RunnerCommand;
import dev.runnerguard.schemas.avro.RunnerLifecycleEvent;
import dev.runnerguard.schemas.avro.SecuritySignal;
import dev.runnerguard.schemas.serde.EventCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads the platform's topics from their end (positioned before the benchmark sends anything) on
 * one thread and keeps, per runner and per job, the times the orchestrator benchmarks need: the
 * first egress-denied signal, the QUARANTINE command, the quarantine steps (provider event and
 * lifecycle), the end of the sequence; and per job the gateway's record, the admission and the
 * PROVISIONED event. All times are epoch milliseconds of the record (or micros where named).
 */
final class PlatformTap implements AutoCloseable {
  static final List<String> TOPICS =
      List.of(
          "runner.signal",
          "runner.command",
          "runner.lifecycle",
          "runner.provider-event",
          "runner.admission",
          "github.workflow-job");

  /** The quarantine of one runner, as seen on the topics; -1 = not (yet) seen. */
  static final class Quarantine {
    volatile long signalObservedAt = -1;
    volatile long signalTime = -1;
    volatile long commandTime = -1;
    volatile long incidentTime = -1;
    volatile long cutProviderEventTime = -1;
    volatile long cutLifecycleTime = -1;
    volatile long cutSinceQuarantine = -1;
    volatile long cutStepMillis = -1;
    volatile String cutOutcome;
    volatile long destroyedTime = -1;
    volatile long quarantineTotal = -1;
    volatile long provisionedTime = -1;
  }

  /** One job of the webhook phase; -1 = not (yet) seen. */
  static final class Job {
    volatile long scheduledMicros = -1;
    volatile long answeredMicros = -1;
    volatile int status;
    volatile long gatewayRecordTime = -1;
    volatile long admissionTime = -1;
    volatile long firstLifecycleTime = -1;
    volatile String decision;
    volatile long createCalledMicros = -1;
    volatile long jitMintMillis = -1;
    volatile long providerCreateMillis = -1;
    volatile long provisionedTime = -1;
  }

  private final EventCodec<SecuritySignal> signals = EventCodec.of(SecuritySignal.class);
  private final EventCodec<RunnerCommand> commands = EventCodec.of(RunnerCommand.class);
  private final EventCodec<RunnerLifecycleEvent> lifecycle =
      EventCodec.of(RunnerLifecycleEvent.class);
  private final EventCodec<ProviderEvent> providerEvents = EventCodec.of(ProviderEvent.class);
  private final EventCodec<dev.runnerguard.schemas.avro.AdmissionDecision> admissions =
      EventCodec.of(dev.runnerguard.schemas.avro.AdmissionDecision.class);

  final Map<String, Quarantine> quarantines = new ConcurrentHashMap<>();
  final Map<Long, Job> jobs = new ConcurrentHashMap<>();
  final AtomicLong provisionFailures = new AtomicLong();
  final Map<String, AtomicLong> provisionFailureDetails = new ConcurrentHashMap<>();

  private final KafkaConsumer<String, byte[]> consumer;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Thread thread;
  private volatile boolean trackQuarantines;
  private volatile RuntimeException failure;

  PlatformTap(String bootstrap) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
    consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> parts = new ArrayList<>();
    for (String t : TOPICS) {
      consumer.partitionsFor(t, Duration.ofSeconds(30)).stream()
          .map(i -> new TopicPartition(t, i.partition()))
          .forEach(parts::add);
    }
    consumer.assign(parts);
    consumer.seekToEnd(parts);
    parts.forEach(consumer::position);
    thread = new Thread(this::loop, "platform-tap");
    thread.setDaemon(true);
    thread.start();
  }

  /** Track quarantines of runners (the first phase); jobs are tracked once registered. */
  void trackQuarantines(boolean on) {
    trackQuarantines = on;
  }

  Quarantine quarantine(String runnerId) {
    return quarantines.computeIfAbsent(runnerId, k -> new Quarantine());
  }

  Job job(long jobId) {
    return jobs.computeIfAbsent(jobId, k -> new Job());
  }

  private void loop() {
    try {
      while (running.get()) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(20))) {
          try {
            handle(r);
          } catch (RuntimeException e) {
            // a record of another shape: not ours to judge here
          }
        }
      }
    } catch (RuntimeException e) {
      failure = e;
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  RuntimeException failure() {
    return failure;
  }

  private void handle(ConsumerRecord<String, byte[]> r) {
    switch (r.topic()) {
      case "runner.signal":
        if (trackQuarantines) {
          SecuritySignal s = signals.decode(r.value());
          if ("net.egress.denied".equals(s.getKind()) && s.getRunnerId() != null) {
            Quarantine q = quarantines.get(s.getRunnerId());
            if (q != null && q.signalObservedAt < 0) {
              q.signalTime = s.getMetadata().getTime().toEpochMilli();
              q.signalObservedAt = s.getObservedAt().toEpochMilli();
            }
          }
        }
        break;
      case "runner.command":
        if (trackQuarantines) {
          RunnerCommand c = commands.decode(r.value());
          Quarantine q = quarantines.get(c.getRunnerId());
          if (q != null
              && q.commandTime < 0
              && c.getCommand() == dev.runnerguard.schemas.avro.CommandType.QUARANTINE) {
            q.commandTime = c.getMetadata().getTime().toEpochMilli();
          }
        }
        break;
      case "runner.lifecycle":
        if (!trackQuarantines && !jobs.isEmpty()) {
          // the state machine's first transition of a webhook job's runner
          // (REQUESTED/PROVISIONING):
          // when the orchestrator's stream processed the admission and dispatched the provisioning
          long jobId = jobIdOfRunner(r.key());
          Job j = jobId < 0 ? null : jobs.get(jobId);
          if (j != null && j.firstLifecycleTime < 0) {
            j.firstLifecycleTime =
                lifecycle.decode(r.value()).getMetadata().getTime().toEpochMilli();
          }
        }
        if (trackQuarantines) {
          RunnerLifecycleEvent e = lifecycle.decode(r.value());
          Quarantine q = quarantines.get(e.getRunnerId());
          if (q == null) {
            break;
          }
          String step = e.getAttributes().get("step");
          String state = e.getState().name();
          if ("incident-opened".equals(step) && q.incidentTime < 0) {
            q.incidentTime = e.getMetadata().getTime().toEpochMilli();
          } else if ("network-cut".equals(step) && q.cutLifecycleTime < 0) {
            q.cutLifecycleTime = e.getMetadata().getTime().toEpochMilli();
            q.cutSinceQuarantine = e.getDurations().getOrDefault("sinceQuarantine", -1L);
            q.cutStepMillis = e.getDurations().getOrDefault("networkCut", -1L);
            q.cutOutcome = e.getAttributes().get("outcome");
          } else if ("DESTROYED".equals(state)
              && e.getDurations().containsKey("quarantineTotal")
              && q.destroyedTime < 0) {
            q.destroyedTime = e.getMetadata().getTime().toEpochMilli();
            q.quarantineTotal = e.getDurations().get("quarantineTotal");
          }
        }
        break;
      case "runner.provider-event":
        {
          ProviderEvent e = providerEvents.decode(r.value());
          if (e.getKind() == ProviderEventKind.QUARANTINE_STEP) {
            Quarantine q = quarantines.get(e.getRunnerId());
            if (q != null
                && "network-cut".equals(e.getAttributes().get("step"))
                && q.cutProviderEventTime < 0) {
              q.cutProviderEventTime = e.getMetadata().getTime().toEpochMilli();
            }
          } else if (e.getKind() == ProviderEventKind.PROVISIONED) {
            Quarantine q = quarantines.get(e.getRunnerId());
            if (q != null && q.provisionedTime < 0) {
              q.provisionedTime = e.getMetadata().getTime().toEpochMilli();
            }
            Job j = jobs.get(jobIdOf(e));
            if (j != null && j.createCalledMicros < 0) {
              String called = e.getAttributes().get("createCalledAtMicros");
              j.jitMintMillis = e.getDurations().getOrDefault("jitMint", -1L);
              j.providerCreateMillis = e.getDurations().getOrDefault("providerCreate", -1L);
              j.provisionedTime = e.getMetadata().getTime().toEpochMilli();
              j.createCalledMicros =
                  called == null
                      ? e.getMetadata().getTime().toEpochMilli() * 1000
                      : Long.parseLong(called);
            }
          } else if (e.getKind() == ProviderEventKind.PROVISION_FAILED) {
            provisionFailures.incrementAndGet();
            String d = String.valueOf(e.getDetail());
            provisionFailureDetails
                .computeIfAbsent(d.length() > 120 ? d.substring(0, 120) : d, k -> new AtomicLong())
                .incrementAndGet();
          }
          break;
        }
      case "runner.admission":
        {
          Job j = jobs.get(parseLong(r.key()));
          if (j != null && j.admissionTime < 0) {
            var d = admissions.decode(r.value());
            j.decision = d.getDecision().name();
            j.admissionTime = d.getMetadata().getTime().toEpochMilli();
          }
          break;
        }
      case "github.workflow-job":
        {
          Job j = jobs.get(parseLong(r.key()));
          if (j != null && j.gatewayRecordTime < 0) {
            j.gatewayRecordTime = r.timestamp();
          }
          break;
        }
      default:
        break;
    }
  }

  /** The record's job id, else the one in the runner id {@code rg-<jobId>-<attempt>}. */
  static long jobIdOf(ProviderEvent e) {
    if (e.getJobId() != null) {
      return e.getJobId();
    }
    return jobIdOfRunner(e.getRunnerId());
  }

  /** The job id in a runner id {@code rg-<jobId>-<attempt>}, else -1. */
  static long jobIdOfRunner(String id) {
    if (id == null) {
      return -1;
    }
    int a = id.indexOf('-');
    int b = id.lastIndexOf('-');
    return a >= 0 && b > a ? parseLong(id.substring(a + 1, b)) : -1;
  }

  private static long parseLong(String s) {
    try {
      return s == null ? -1 : Long.parseLong(s);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    thread.join(10_000);
  }
}
