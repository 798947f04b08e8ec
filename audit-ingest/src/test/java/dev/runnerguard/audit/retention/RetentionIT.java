package dev.runnerguard.audit.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runnerguard.audit.ocsf.NormalisedEvent;
import dev.runnerguard.audit.store.AuditStore;
import dev.runnerguard.audit.store.StoreFixtures;
import dev.runnerguard.audit.store.VerifyResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Retention against a real PostgreSQL with the real migrations: rows pruned only through the
 * controlled path with a signed checkpoint; verify starts from the checkpoint, still names a
 * tampered row, and detects a forged or altered checkpoint; sink positions bound what is pruned.
 */
class RetentionIT {
  private static final String KEY = "0123456789abcdef0123456789abcdef-retention-it-key";

  private DataSource ds;
  private AuditStore store;

  @BeforeEach
  void freshDatabase() {
    ds = StoreFixtures.database("audit_ret_", null);
    store = new AuditStore(ds, CheckpointSigner.of(KEY, "k1"));
  }

  private static List<NormalisedEvent> events(String prefix, int n) {
    return StoreFixtures.events(prefix, n);
  }

  private Instant storedAt(long seq) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement("SELECT stored_at FROM audit_event WHERE seq = ?")) {
      ps.setLong(1, seq);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getTimestamp(1).toInstant();
      }
    }
  }

  private long count() throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM audit_event")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** As a superuser bypassing the triggers, the way an attacker with database access would. */
  private void asSuperuserBypassingTriggers(String... sql) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      s.execute("SET LOCAL session_replication_role = replica");
      for (String q : sql) {
        s.execute(q);
      }
      c.commit();
    }
  }

  private void pruneFirstBatch() throws SQLException {
    store.append(events("old", 5));
    store.append(events("young", 5));
    Checkpoint cp = store.prune(storedAt(6), Long.MAX_VALUE);
    assertThat(cp).isNotNull();
    assertThat(cp.throughSeq()).isEqualTo(5);
    assertThat(cp.prunedRows()).isEqualTo(5);
  }

  @Test
  void pruneLeavesASignedCheckpointAndVerifyStartsFromIt() throws Exception {
    pruneFirstBatch();
    assertThat(count()).isEqualTo(5);

    VerifyResult r = store.verify();
    assertThat(r.ok()).isTrue();
    assertThat(r.checked()).isEqualTo(5);
    assertThat(r.checkpoint().throughSeq()).isEqualTo(5);

    // nothing old enough any more: no new checkpoint
    assertThat(store.prune(storedAt(6), Long.MAX_VALUE)).isNull();

    // later appends still chain on; a second prune moves the checkpoint
    store.append(events("later", 3));
    Checkpoint second = store.prune(storedAt(11), Long.MAX_VALUE);
    assertThat(second.throughSeq()).isEqualTo(10);
    VerifyResult again = store.verify();
    assertThat(again.ok()).isTrue();
    assertThat(again.checked()).isEqualTo(3);
  }

  @Test
  void pruningEverythingStillVerifiesAgainstTheHead() throws Exception {
    store.append(events("all", 4));
    Checkpoint cp = store.prune(Instant.now().plusSeconds(3600), Long.MAX_VALUE);
    assertThat(cp.throughSeq()).isEqualTo(4);
    assertThat(count()).isZero();
    assertThat(store.verify().ok()).isTrue();
  }

  @Test
  void neverPrunesWhatASinkHasNotDelivered() throws Exception {
    store.append(events("a", 10));
    store.advanceSink("slow", 3);
    store.advanceSink("fast", 10);
    long maxSeq = store.minSinkPosition(List.of("slow", "fast"));
    Checkpoint cp = store.prune(Instant.now().plusSeconds(3600), maxSeq);
    assertThat(cp.throughSeq()).isEqualTo(3);
    assertThat(count()).isEqualTo(7);
    assertThat(store.verify().ok()).isTrue();
  }

  @Test
  void deletesOutsideTheControlledPathAreRefused() throws Exception {
    pruneFirstBatch();
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      assertThatThrownBy(() -> s.executeUpdate("DELETE FROM audit_event WHERE seq = 6"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("append-only");
      // the transaction-local flag alone does not open rows no checkpoint covers
      c.setAutoCommit(false);
      s.execute("SELECT set_config('runnerguard.audit_prune', 'on', true)");
      assertThatThrownBy(() -> s.executeUpdate("DELETE FROM audit_event WHERE seq = 7"))
          .hasMessageContaining("append-only");
      c.rollback();
      c.setAutoCommit(true);
      assertThatThrownBy(() -> s.executeUpdate("DELETE FROM audit_checkpoint"))
          .hasMessageContaining("append-only");
      assertThatThrownBy(
              () -> s.executeUpdate("UPDATE audit_checkpoint SET through_seq = through_seq + 1"))
          .hasMessageContaining("append-only");
      // audit_prune() refuses a seq no checkpoint names
      assertThatThrownBy(() -> s.executeQuery("SELECT audit_prune(8)"))
          .hasMessageContaining("no checkpoint");
    }
    assertThat(count()).isEqualTo(5);
    assertThat(store.verify().ok()).isTrue();
  }

  @Test
  void aTamperedRowAfterTheCheckpointIsNamed() throws Exception {
    pruneFirstBatch();
    asSuperuserBypassingTriggers(
        "UPDATE audit_event SET ocsf = jsonb_set(ocsf::jsonb, '{message}', '\"edited\"')::json WHERE seq = 8");
    VerifyResult r = store.verify();
    assertThat(r.ok()).isFalse();
    assertThat(r.firstBroken().seq()).isEqualTo(8);
    assertThat(r.firstBroken().reason()).contains("hash does not match");
  }

  @Test
  void rowsRemovedRightAfterTheCheckpointAreFound() throws Exception {
    pruneFirstBatch();
    asSuperuserBypassingTriggers("DELETE FROM audit_event WHERE seq = 6");
    VerifyResult r = store.verify();
    assertThat(r.ok()).isFalse();
    assertThat(r.firstBroken().seq()).isEqualTo(7);
    assertThat(r.firstBroken().reason()).contains("checkpoint");
  }

  @Test
  void anAlteredCheckpointIsDetected() throws Exception {
    pruneFirstBatch();
    // hide the deletion of row 6 by moving the checkpoint onto it: the signature no longer holds
    asSuperuserBypassingTriggers(
        "UPDATE audit_checkpoint SET through_seq = 6, last_hash = (SELECT hash FROM audit_event"
            + " WHERE seq = 6), pruned_rows = 6",
        "DELETE FROM audit_event WHERE seq = 6");
    VerifyResult r = store.verify();
    assertThat(r.ok()).isFalse();
    assertThat(r.firstBroken().seq()).isEqualTo(6);
    assertThat(r.firstBroken().reason()).contains("signature does not verify");
  }

  @Test
  void aForgedCheckpointIsDetected() throws Exception {
    pruneFirstBatch();
    // an attacker with database access but without the key signs a checkpoint of their own
    CheckpointSigner forger = CheckpointSigner.of("another-key-another-key-another-key!!", "k1");
    byte[] hash7;
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT hash FROM audit_event WHERE seq = 7")) {
      rs.next();
      hash7 = rs.getBytes(1);
    }
    Instant now = Instant.ofEpochMilli(System.currentTimeMillis());
    byte[] sig = forger.sign(7, hash7, 7, now);
    try (Connection c = ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO audit_checkpoint (through_seq, last_hash, pruned_rows, created_at,"
                    + " algorithm, key_id, signature) VALUES (7, ?, 7, ?, 'HMAC-SHA256', 'k1', ?)")) {
      ps.setBytes(1, hash7);
      ps.setTimestamp(2, java.sql.Timestamp.from(now));
      ps.setBytes(3, sig);
      ps.executeUpdate();
    }
    // the forged checkpoint opens the controlled path, so rows 6 and 7 can now be deleted...
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT audit_prune(7)")) {
      rs.next();
    }
    // ...but verify does not trust it
    VerifyResult r = store.verify();
    assertThat(r.ok()).isFalse();
    assertThat(r.firstBroken().seq()).isEqualTo(7);
    assertThat(r.firstBroken().reason()).contains("signature does not verify");
  }

  @Test
  void withoutTheKeyACheckpointCannotBeTrusted() throws Exception {
    pruneFirstBatch();
    VerifyResult r = new AuditStore(ds, CheckpointSigner.none()).verify();
    assertThat(r.ok()).isFalse();
    assertThat(r.firstBroken().reason()).contains("no checkpoint key");
    assertThatThrownBy(
            () -> new AuditStore(ds, CheckpointSigner.none()).prune(Instant.now(), Long.MAX_VALUE))
        .isInstanceOf(IllegalStateException.class);
  }
}
