package dev.runnerguard.launcher;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

/**
 * Embedded PostgreSQL (zonky's binaries) as a JVM of its own, for {@code ./runnerguard up}. Data
 * lives in the given directory and survives restarts. Creates role and database {@value #DATABASE}
 * (password {@value #PASSWORD}) if missing, prints {@value #READY_MARKER} and keeps running until
 * SIGTERM, when it stops PostgreSQL.
 *
 * <p>{@code java -cp ... dev.runnerguard.launcher.PostgresMain <port> <data dir> <binaries dir>}
 */
public final class PostgresMain {

  /** Database, role and password of the platform. */
  public static final String DATABASE = "runnerguard";

  /** See {@link #DATABASE}. */
  public static final String USER = "runnerguard";

  /** See {@link #DATABASE}. Local only: PostgreSQL listens on 127.0.0.1. */
  public static final String PASSWORD = "runnerguard";

  /** The line ./runnerguard waits for. */
  public static final String READY_MARKER = "RUNNERGUARD-POSTGRES-READY";

  /** Written into a binaries directory once PostgreSQL started from it. */
  static final String COMPLETE_MARKER = ".runnerguard-complete";

  private PostgresMain() {}

  /** Creates the role and database if they do not exist yet. */
  static void ensureDatabase(int port) throws SQLException {
    String admin = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    try (Connection c = DriverManager.getConnection(admin, "postgres", "postgres");
        Statement s = c.createStatement()) {
      if (!exists(c, "select 1 from pg_roles where rolname = ?", USER)) {
        s.execute("create role " + USER + " login password '" + PASSWORD + "'");
      }
      if (!exists(c, "select 1 from pg_database where datname = ?", DATABASE)) {
        s.execute("create database " + DATABASE + " owner " + USER);
      }
    }
  }

  private static boolean exists(Connection c, String sql, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /**
   * Deletes binary directories an interrupted extraction left behind (zonky cannot extract over
   * them); complete ones carry {@link #COMPLETE_MARKER}.
   */
  static void removeIncompleteBinaries(Path binDir) throws IOException {
    try (Stream<Path> dirs = Files.list(binDir)) {
      for (Path dir : dirs.filter(Files::isDirectory).toList()) {
        if (!Files.exists(dir.resolve(COMPLETE_MARKER))) {
          System.out.println("removing incompletely extracted PostgreSQL binaries " + dir);
          deleteTree(dir);
        }
      }
    }
  }

  static void markBinariesComplete(Path binDir) throws IOException {
    try (Stream<Path> dirs = Files.list(binDir)) {
      for (Path dir : dirs.filter(Files::isDirectory).toList()) {
        Path marker = dir.resolve(COMPLETE_MARKER);
        if (!Files.exists(marker)) {
          Files.createFile(marker);
        }
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: PostgresMain <port> <data dir> <binaries dir>");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    Path dataDir = Path.of(args[1]).toAbsolutePath();
    Path binDir = Path.of(args[2]).toAbsolutePath();
    Files.createDirectories(binDir);
    removeIncompleteBinaries(binDir);
    long started = System.nanoTime();
    EmbeddedPostgres pg =
        EmbeddedPostgres.builder()
            .setPort(port)
            .setDataDirectory(dataDir)
            .setCleanDataDirectory(false)
            .setOverrideWorkingDirectory(binDir.toFile())
            .setServerConfig("listen_addresses", "127.0.0.1")
            .setServerConfig("max_connections", "100")
            .setPGStartupWait(java.time.Duration.ofSeconds(60))
            .setRegisterShutdownHook(false)
            .start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  System.out.println("stopping PostgreSQL on port " + port);
                  try {
                    pg.close();
                    System.out.println("PostgreSQL stopped");
                  } catch (IOException e) {
                    System.err.println("PostgreSQL did not stop cleanly: " + e);
                  } finally {
                    stopped.countDown();
                  }
                },
                "runnerguard-postgres-stop"));
    markBinariesComplete(binDir);
    ensureDatabase(port);
    long ms = (System.nanoTime() - started) / 1_000_000;
    System.out.println(
        READY_MARKER
            + " port="
            + port
            + " database="
            + DATABASE
            + " user="
            + USER
            + " data="
            + dataDir
            + " in "
            + ms
            + " ms");
    System.out.flush();
    stopped.await();
  }
}
