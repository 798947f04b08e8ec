package dev.runnerguard.audit.store;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;

/**
 * Classifies storage failures. <b>Retriable</b>: the database or the connection is (temporarily)
 * unavailable or the transaction lost a race (SQLState classes 08 connection, 40 transaction
 * rollback, 53 insufficient resources, 57 operator intervention, 58 system error; JDBC transient or
 * recoverable exceptions; no SQLState at all, as the pool reports an acquisition timeout); retried
 * until they succeed. <b>Permanent</b>: everything else (data exceptions, constraint violations,
 * syntax) — the event itself cannot be stored and is dead-lettered.
 */
public final class StorageErrors {

  private StorageErrors() {}

  public static boolean retriable(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof SQLTransientException || c instanceof SQLRecoverableException) {
        return true;
      }
      if (c instanceof SQLException sql) {
        String state = sql.getSQLState();
        if (state == null || state.length() < 2) {
          return true;
        }
        String cls = state.substring(0, 2);
        return switch (cls) {
          case "08", "40", "53", "57", "58" -> true;
          default -> false;
        };
      }
    }
    return false;
  }
}
