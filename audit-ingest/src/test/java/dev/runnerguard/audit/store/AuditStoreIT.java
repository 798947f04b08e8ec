package dev.runnerguard.audit.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runnerguard.audit.chain.CanonicalJson;
import dev.runnerguard.audit.ocsf.NormalisedEvent;
import dev.runnerguard.audit.retention.CheckpointSigner;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Appends against a real PostgreSQL with the real migrations: the optimistic append (no look-up of
 * stored ids) and its fall-back when a batch holds ids already stored; and the V5 conversion of the
 * event column from jsonb to json, after which rows stored before it still verify.
 */
class AuditStoreIT {
  private static PGSimpleDataSource database(String prefix, String target) {
    return StoreFixtures.database(prefix, target);
  }

  private static List<NormalisedEvent> events(String prefix, int n) {
    return StoreFixtures.events(prefix, n);
  }

  private static String ocsfColumnType(PGSimpleDataSource ds) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT data_type FROM information_schema.columns"
                    + " WHERE table_name = 'audit_event' AND column_name = 'ocsf'")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static long scalar(PGSimpleDataSource ds, String sql) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void aBatchHoldingStoredIdsStoresOnlyTheNewOnesAndTheChainStaysIntact() throws Exception {
    PGSimpleDataSource ds = database("audit_store_", null);
    AuditStore store = new AuditStore(ds, CheckpointSigner.none());
    List<NormalisedEvent> first = events("first", 20);

    AppendResult a = store.append(first);
    assertThat(a.storedClassUids()).hasSize(20);
    assertThat(a.duplicates()).isZero();
    assertThat(a.headSeq()).isEqualTo(20);

    // a redelivery: the stored ids again, interleaved with new ones, one of them twice
    List<NormalisedEvent> second = new ArrayList<>();
    List<NormalisedEvent> fresh = events("second", 10);
    for (int i = 0; i < 10; i++) {
      second.add(first.get(i * 2));
      second.add(fresh.get(i));
    }
    second.add(fresh.get(3));
    AppendResult b = store.append(second);
    assertThat(b.storedClassUids()).hasSize(10);
    assertThat(b.duplicates()).isEqualTo(11); // 10 already stored + 1 twice in the batch
    assertThat(scalar(ds, "SELECT count(*) FROM audit_event")).isEqualTo(30);
    assertThat(scalar(ds, "SELECT count(DISTINCT event_id) FROM audit_event")).isEqualTo(30);
    assertThat(scalar(ds, "SELECT seq FROM chain_head")).isEqualTo(b.headSeq());

    // only already stored ids: nothing stored, the head does not move
    AppendResult c = store.append(first.subList(0, 5));
    assertThat(c.storedClassUids()).isEmpty();
    assertThat(c.duplicates()).isEqualTo(5);
    assertThat(c.headSeq()).isEqualTo(b.headSeq());

    VerifyResult v = store.verify();
    assertThat(v.ok()).isTrue();
    assertThat(v.checked()).isEqualTo(30);
  }

  /**
   * A NUL character in a string (an attacker-controlled process argument, say) is written as the
   * escape backslash-u-0000 in the canonical JSON: jsonb refused that escape (the event was
   * dead-lettered as a permanent storage failure), json stores it, and the chain verifies.
   */
  @Test
  void anEventWithANulCharacterIsStoredAndVerifies() throws Exception {
    PGSimpleDataSource ds = database("audit_nul_", null);
    AuditStore store = new AuditStore(ds, CheckpointSigner.none());
    List<NormalisedEvent> events = new ArrayList<>(events("nul", 3));
    NormalisedEvent e = events.get(1);
    var ocsf = e.ocsf();
    ocsf.put("message", "argv with a NUL " + (char) 0 + " inside");
    events.set(1, e.withCanonical(CanonicalJson.bytes(ocsf)));

    AppendResult r = store.append(events);

    assertThat(r.storedClassUids()).hasSize(3);
    assertThat(store.verify().ok()).isTrue();
    assertThat(
            scalar(ds, "SELECT count(*) FROM audit_event WHERE strpos(ocsf::text, '\\u0000') > 0"))
        .isEqualTo(1);
  }

  @Test
  void rowsStoredAsJsonbBeforeV5StillVerifyAfterItAndTamperingIsStillFound() throws Exception {
    PGSimpleDataSource ds = database("audit_v5_", "4");
    AuditStore store = new AuditStore(ds, CheckpointSigner.none());
    store.append(events("before", 15));
    assertThat(ocsfColumnType(ds)).isEqualTo("jsonb");

    Flyway.configure()
        .dataSource(ds.getUrl(), "postgres", "postgres")
        .load()
        .migrate(); // V5: jsonb -> json
    assertThat(ocsfColumnType(ds)).isEqualTo("json");
    store.append(events("after", 15));
    assertThat(store.verify().ok()).isTrue();
    assertThat(store.verify().checked()).isEqualTo(30);

    // the converted rows are still guarded: one edited (bypassing the triggers) is named
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      s.execute("SET LOCAL session_replication_role = replica");
      s.executeUpdate(
          "UPDATE audit_event SET ocsf = jsonb_set(ocsf::jsonb, '{message}', '\"edited\"')::json"
              + " WHERE seq = 7");
      c.commit();
    }
    VerifyResult v = store.verify();
    assertThat(v.ok()).isFalse();
    assertThat(v.firstBroken().seq()).isEqualTo(7);
  }
}
