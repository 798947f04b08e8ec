package dev.runnerguard.launcher;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the platform topics ({@link TopicPlan}) on a broker, idempotently: topics that exist are
 * left alone. Waits (bounded) for the broker to answer first.
 *
 * <p>{@code java -cp ... dev.runnerguard.launcher.TopicInit <bootstrap servers> [timeout seconds]}
 * ; exits 0 when every topic exists, 1 otherwise.
 */
public final class TopicInit {

  private TopicInit() {}

  /** Creates the missing topics and returns how many it created. */
  public static int createMissing(Admin admin, List<TopicPlan.TopicSpec> plan, Duration timeout)
      throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
    Set<String> existing =
        admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    List<NewTopic> missing =
        plan.stream()
            .filter(s -> !existing.contains(s.name()))
            .map(s -> new NewTopic(s.name(), s.partitions(), (short) 1).configs(s.config()))
            .toList();
    if (missing.isEmpty()) {
      return 0;
    }
    CreateTopicsResult result = admin.createTopics(missing);
    int created = 0;
    for (Map.Entry<String, org.apache.kafka.common.KafkaFuture<Void>> e :
        result.values().entrySet()) {
      try {
        e.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        created++;
      } catch (ExecutionException ex) {
        if (!(ex.getCause() instanceof TopicExistsException)) {
          throw ex;
        }
      }
    }
    return created;
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 1 || args.length > 2) {
      System.err.println("usage: TopicInit <bootstrap servers> [timeout seconds]");
      System.exit(2);
    }
    String bootstrap = args[0];
    Duration timeout = Duration.ofSeconds(args.length == 2 ? Long.parseLong(args[1]) : 60);
    long deadline = System.nanoTime() + timeout.toNanos();
    List<TopicPlan.TopicSpec> plan = TopicPlan.topics();
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, "runnerguard-topic-init");
    Exception last = null;
    try (Admin admin = Admin.create(props)) {
      while (System.nanoTime() < deadline) {
        try {
          int created = createMissing(admin, plan, Duration.ofSeconds(15));
          Set<String> now = admin.listTopics().names().get(15, TimeUnit.SECONDS);
          List<String> absent =
              plan.stream().map(TopicPlan.TopicSpec::name).filter(n -> !now.contains(n)).toList();
          if (absent.isEmpty()) {
            System.out.println(
                "topics ready: "
                    + plan.size()
                    + " ("
                    + created
                    + " created, "
                    + (plan.size() - created)
                    + " existed): "
                    + plan.stream()
                        .map(TopicPlan.TopicSpec::name)
                        .collect(Collectors.joining(", ")));
            return;
          }
          last = new IllegalStateException("topics still missing: " + absent);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
          last = e;
        }
        Thread.sleep(500);
      }
    }
    System.err.println(
        "could not create topics on "
            + bootstrap
            + " within "
            + timeout.toSeconds()
            + " s: "
            + last);
    System.exit(1);
  }
}
