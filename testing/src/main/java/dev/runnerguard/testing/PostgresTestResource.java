package dev.runnerguard.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Quarkus test resource pointing the application's default datasource at a fresh database in the
 * JVM's shared embedded PostgreSQL. The database name defaults to {@code runnerguard} and can be
 * set with the init argument {@code database}.
 */
public final class PostgresTestResource implements QuarkusTestResourceLifecycleManager {
  private String database = "runnerguard";

  @Override
  public void init(Map<String, String> initArgs) {
    database = initArgs.getOrDefault("database", database);
  }

  @Override
  public Map<String, String> start() {
    return Map.of(
        "quarkus.datasource.jdbc.url", PostgresTestDatabase.jdbcUrl(database),
        "quarkus.datasource.username", "postgres",
        "quarkus.datasource.password", "postgres");
  }

  @Override
  public void stop() {
    // shared by every test class of the JVM; stopped by the JVM shutdown hook
  }
}
