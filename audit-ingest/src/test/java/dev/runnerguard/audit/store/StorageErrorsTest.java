package dev.runnerguard.audit.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

class StorageErrorsTest {
  @Test
  void connectionAndTransactionFailuresAreRetriable() {
    assertThat(StorageErrors.retriable(new SQLException("down", "08001"))).isTrue();
    assertThat(StorageErrors.retriable(new SQLException("serialization", "40001"))).isTrue();
    assertThat(StorageErrors.retriable(new SQLException("shutdown", "57P01"))).isTrue();
    assertThat(StorageErrors.retriable(new SQLTransientConnectionException("pool"))).isTrue();
    assertThat(StorageErrors.retriable(new SQLException("acquisition timeout"))).isTrue();
    assertThat(StorageErrors.retriable(new RuntimeException(new SQLException("x", "08006"))))
        .isTrue();
  }

  @Test
  void dataAndConstraintFailuresArePermanent() {
    assertThat(StorageErrors.retriable(new SQLException("bad json", "22P02"))).isFalse();
    assertThat(StorageErrors.retriable(new SQLException("unique", "23505"))).isFalse();
    assertThat(StorageErrors.retriable(new SQLException("append-only", "42501"))).isFalse();
    assertThat(StorageErrors.retriable(new IllegalStateException("no sql"))).isFalse();
  }
}
