package dev.runnerguard.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * One real PostgreSQL (17, from zonky's embedded binaries) per test JVM, shared like {@link
 * KafkaTestBroker}. Each caller can ask for its own database so tests do not see each other's rows.
 */
public final class PostgresTestDatabase {

  /** Holds the port of the PostgreSQL this JVM started. */
  public static final String PORT_PROPERTY = "runnerguard.test.postgres.port";

  private static final Logger LOG = Logger.getLogger(PostgresTestDatabase.class.getName());
  private static volatile EmbeddedPostgres postgres;

  private PostgresTestDatabase() {}

  /** The port of the JVM's PostgreSQL, starting it if needed. */
  public static int port() {
    synchronized (System.getProperties()) {
      String existing = System.getProperty(PORT_PROPERTY);
      if (existing != null) {
        return Integer.parseInt(existing);
      }
      try {
        long started = System.nanoTime();
        EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
        postgres = pg;
        Runtime.getRuntime()
            .addShutdownHook(
                new Thread(
                    () -> {
                      try {
                        pg.close();
                      } catch (IOException e) {
                        LOG.warning("embedded PostgreSQL did not stop cleanly: " + e);
                      }
                    },
                    "runnerguard-test-postgres-shutdown"));
        long ms = (System.nanoTime() - started) / 1_000_000;
        LOG.info(() -> "embedded PostgreSQL ready on port " + pg.getPort() + " in " + ms + " ms");
        System.setProperty(PORT_PROPERTY, Integer.toString(pg.getPort()));
        return pg.getPort();
      } catch (IOException e) {
        throw new UncheckedIOException("embedded PostgreSQL did not start", e);
      }
    }
  }

  /**
   * Creates the database if it does not exist and returns its JDBC URL (user and password {@code
   * postgres}).
   */
  public static String jdbcUrl(String database) {
    if (!database.matches("[a-z][a-z0-9_]{0,62}")) {
      throw new IllegalArgumentException("database name must match [a-z][a-z0-9_]*: " + database);
    }
    int port = port();
    String admin = "jdbc:postgresql://localhost:" + port + "/postgres";
    try (Connection c = java.sql.DriverManager.getConnection(admin, "postgres", "postgres");
        Statement s = c.createStatement()) {
      var rs = s.executeQuery("select 1 from pg_database where datname = '" + database + "'");
      if (!rs.next()) {
        s.execute("create database " + database);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create database " + database, e);
    }
    return "jdbc:postgresql://localhost:" + port + "/" + database;
  }

  /** A data source on the default {@code postgres} database, for this JVM's own PostgreSQL. */
  public static DataSource dataSource() {
    port();
    EmbeddedPostgres pg = postgres;
    if (pg == null) {
      throw new IllegalStateException("PostgreSQL was started by another class loader");
    }
    return pg.getPostgresDatabase();
  }
}
