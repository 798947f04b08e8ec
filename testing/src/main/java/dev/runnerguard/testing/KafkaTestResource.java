package dev.runnerguard.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Quarkus test resource handing the JVM's shared real Kafka broker to the application under test
 * with every platform topic created ({@code kafka.bootstrap.servers}, which SmallRye Reactive
 * Messaging and the Kafka client extension both read). The broker outlives the Quarkus application;
 * it stops with the JVM.
 *
 * <pre>
 * {@code @QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = false)}
 * </pre>
 */
public final class KafkaTestResource implements QuarkusTestResourceLifecycleManager {

  @Override
  public Map<String, String> start() {
    String bootstrap = KafkaTestBroker.bootstrapServers();
    KafkaTestBroker.createPlatformTopics();
    return Map.of("kafka.bootstrap.servers", bootstrap);
  }

  @Override
  public void stop() {
    // shared by every test class of the JVM; stopped by the JVM shutdown hook
  }
}
