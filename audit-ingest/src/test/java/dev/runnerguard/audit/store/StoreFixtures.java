package dev.runnerguard.audit.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runnerguard.audit.ocsf.NormalisedEvent;
import dev.runnerguard.audit.ocsf.SourcePosition;
import dev.runnerguard.testing.PostgresTestDatabase;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationVersion;
import org.postgresql.ds.PGSimpleDataSource;

/** A fresh database with the real migrations, and simple events, for the store's ITs. */
public final class StoreFixtures {
  private static final ObjectMapper JSON = new ObjectMapper();

  private StoreFixtures() {}

  /**
   * A new database (name {@code prefix} and a random suffix) migrated to {@code target} (null: the
   * latest migration).
   */
  public static PGSimpleDataSource database(String prefix, String target) {
    String db = prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    String url = PostgresTestDatabase.jdbcUrl(db);
    var flyway = Flyway.configure().dataSource(url, "postgres", "postgres");
    if (target != null) {
      flyway.target(MigrationVersion.fromVersion(target));
    }
    flyway.load().migrate();
    PGSimpleDataSource pg = new PGSimpleDataSource();
    pg.setUrl(url);
    pg.setUser("postgres");
    pg.setPassword("postgres");
    return pg;
  }

  /**
   * {@code n} Entity Management events of runner {@code r-store}, with fresh ids and a message that
   * COPY and JSON both escape (quotes, a backslash, a tab).
   */
  public static List<NormalisedEvent> events(String prefix, int n) {
    List<NormalisedEvent> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String id = prefix + "-" + i + "-" + UUID.randomUUID();
      ObjectNode o = JSON.createObjectNode();
      o.put("class_uid", 1007);
      o.put("time", 1_700_000_000_000L + i);
      o.putObject("metadata").put("uid", id);
      o.put("message", prefix + " event " + i + " with \"quotes\", a \\ and a tab\t");
      o.put("ratio", 0.25);
      out.add(
          new NormalisedEvent(
              id,
              new SourcePosition("runner.signal", 0, i),
              Instant.ofEpochMilli(1_700_000_000_000L + i),
              1007,
              1,
              "r-store",
              (long) i,
              false,
              o));
    }
    return out;
  }
}
