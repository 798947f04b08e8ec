package dev.runnerguard.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.DriverManager;
import org.junit.jupiter.api.Test;

class PostgresTestDatabaseIT {

  @Test
  void realPostgresWithSeparateDatabases() throws Exception {
    String a = PostgresTestDatabase.jdbcUrl("harness_a");
    String again = PostgresTestDatabase.jdbcUrl("harness_a");
    assertThat(again).isEqualTo(a);
    try (var c = DriverManager.getConnection(a, "postgres", "postgres");
        var s = c.createStatement()) {
      var rs = s.executeQuery("select current_database(), split_part(version(), ' ', 2)");
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("harness_a");
      assertThat(rs.getString(2)).startsWith("17.");
    }
  }

  @Test
  void rejectsUnsafeDatabaseNames() {
    assertThatThrownBy(() -> PostgresTestDatabase.jdbcUrl("x; drop database postgres"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
