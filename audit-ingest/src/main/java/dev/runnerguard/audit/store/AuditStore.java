package dev.runnerguard.audit.store;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runnerguard.audit.chain.CanonicalJson;
import dev.runnerguard.audit.chain.HashChain;
import dev.runnerguard.audit.ocsf.NormalisedEvent;
import dev.runnerguard.audit.retention.Checkpoint;
import dev.runnerguard.audit.retention.CheckpointSigner;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.postgresql.PGConnection;

/**
 * JDBC access to the hash-chained store. Appends run in one transaction that locks the chain head
 * ({@code SELECT ... FOR UPDATE} on {@code chain_head}), skips event ids already stored, computes
 * each new row's hash from the previous one, inserts the batch and moves the head, so concurrent
 * writers (threads or replicas) serialise and the chain stays consistent.
 */
@ApplicationScoped
public class AuditStore {

  static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private static final String INSERT =
      "INSERT INTO audit_event (event_id, topic, kafka_partition, kafka_offset, occurred_at,"
          + " class_uid, runner_id, job_id, severity_id, dead_lettered, ocsf, prev_hash, hash)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::json, ?, ?)"
          + " ON CONFLICT (event_id) DO NOTHING";
  private static final String COLUMNS =
      "seq, event_id, topic, class_uid, severity_id, occurred_at, dead_lettered, ocsf::text";

  private final DataSource dataSource;
  private final CheckpointSigner signer;

  public AuditStore(DataSource dataSource, CheckpointSigner signer) {
    this.dataSource = dataSource;
    this.signer = signer;
  }

  /** Appends events to the chain, each event id at most once. */
  public AppendResult append(List<NormalisedEvent> events) throws SQLException {
    return append(prepare(events));
  }

  /**
   * A batch ready to be appended: duplicates within the batch removed, and for each event its COPY
   * row up to the two hash columns (the event's canonical JSON, written by its normaliser, in it).
   * This is the costly part of an append and needs no database: it is done before (and outside) the
   * chain head lock, possibly on another thread than the append.
   */
  public record Prepared(List<Row> rows, int duplicates) {}

  /** Prepares a batch for {@link #append(Prepared)} (pure CPU work, no database). */
  public static Prepared prepare(List<NormalisedEvent> events) {
    Map<String, NormalisedEvent> unique = new LinkedHashMap<>();
    for (NormalisedEvent e : events) {
      unique.putIfAbsent(e.eventId(), e);
    }
    List<Row> rows = new ArrayList<>(unique.size());
    CanonicalJson.Bytes line = new CanonicalJson.Bytes(8192);
    for (NormalisedEvent e : unique.values()) {
      rows.add(Row.of(e, line));
    }
    return new Prepared(rows, events.size() - unique.size());
  }

  /**
   * Appends a prepared batch to the chain, each event id at most once: one transaction with the
   * chain head locked; only the hashes and the COPY (and, for a batch holding ids already stored,
   * the look-up of those ids) happen under the lock.
   *
   * <p>Optimistic: a batch is first appended without looking its ids up, since the unique index on
   * {@code event_id} refuses a stored id anyway and a redelivery is rare (a restart, a rebalance).
   * When it does refuse one, that transaction is rolled back (nothing of it stays) and the batch is
   * appended again with the ids already stored looked up and skipped. This saves a round trip and
   * one index probe per row in the common case.
   */
  public AppendResult append(Prepared batch) throws SQLException {
    try {
      return append(batch, false);
    } catch (StoredIdsInBatch e) {
      return append(batch, true);
    }
  }

  /** A batch's optimistic append hit an event id already stored (rolled back; never escapes). */
  private static final class StoredIdsInBatch extends SQLException {
    StoredIdsInBatch(SQLException cause) {
      super("the batch holds an event id already stored", "23505", cause);
    }
  }

  private AppendResult append(Prepared batch, boolean lookUpStoredIds) throws SQLException {
    int duplicates = batch.duplicates();
    if (batch.rows().isEmpty()) {
      return new AppendResult(List.of(), duplicates, headSeq());
    }
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        byte[] head;
        long headSeq;
        try (PreparedStatement lock =
                c.prepareStatement("SELECT seq, hash FROM chain_head WHERE id = 1 FOR UPDATE");
            ResultSet rs = lock.executeQuery()) {
          if (!rs.next()) {
            throw new SQLException("chain_head row missing", "XX000");
          }
          headSeq = rs.getLong(1);
          head = rs.getBytes(2);
        }
        List<Row> fresh = batch.rows();
        if (lookUpStoredIds) {
          Set<String> existing = storedIds(c, batch.rows());
          duplicates += existing.size();
          if (!existing.isEmpty()) {
            fresh = new ArrayList<>(batch.rows().size());
            for (Row r : batch.rows()) {
              if (!existing.contains(r.event().eventId())) {
                fresh.add(r);
              }
            }
          }
        }
        List<Integer> stored = new ArrayList<>(fresh.size());
        if (!fresh.isEmpty()) {
          head =
              c.isWrapperFor(PGConnection.class)
                  ? copyRows(c.unwrap(PGConnection.class), fresh, head, lookUpStoredIds)
                  : insertRows(c, fresh, head, lookUpStoredIds);
          for (Row r : fresh) {
            stored.add(r.event().classUid());
          }
        }
        if (!stored.isEmpty()) {
          try (PreparedStatement up =
              c.prepareStatement(
                  "UPDATE chain_head SET seq = (SELECT max(seq) FROM audit_event), hash = ?"
                      + " WHERE id = 1 RETURNING seq")) {
            up.setBytes(1, head);
            try (ResultSet rs = up.executeQuery()) {
              rs.next();
              headSeq = rs.getLong(1);
            }
          }
        }
        c.commit();
        return new AppendResult(stored, duplicates, headSeq);
      } catch (SQLException | RuntimeException e) {
        try {
          c.rollback();
        } catch (SQLException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
    }
  }

  /** The ids of the rows that are already stored. */
  private static Set<String> storedIds(Connection c, List<Row> rows) throws SQLException {
    Set<String> existing = new HashSet<>();
    try (PreparedStatement q =
        c.prepareStatement("SELECT event_id FROM audit_event WHERE event_id = ANY(?)")) {
      String[] batchIds = new String[rows.size()];
      for (int i = 0; i < batchIds.length; i++) {
        batchIds[i] = rows.get(i).event().eventId();
      }
      Array ids = c.createArrayOf("text", batchIds);
      q.setArray(1, ids);
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          existing.add(rs.getString(1));
        }
      }
    }
    return existing;
  }

  /**
   * One event prepared for the chain: its columns ({@code event}, whose canonical bytes are
   * dropped: null), its canonical JSON (what the hash covers) and its COPY text row up to and
   * including the {@code ocsf} column and the tab after it (the two hash columns follow once the
   * previous hash is known).
   */
  public record Row(
      NormalisedEvent event,
      byte[] copyPrefix,
      byte[] canonicalSource,
      int canonicalOffset,
      int canonicalLength) {

    /** The canonical JSON (a copy). */
    public byte[] canonical() {
      return Arrays.copyOfRange(
          canonicalSource, canonicalOffset, canonicalOffset + canonicalLength);
    }

    /** This row's hash given the previous row's. */
    byte[] hash(byte[] prev) {
      return HashChain.hash(prev, canonicalSource, canonicalOffset, canonicalLength);
    }

    /**
     * Prepares a row; {@code line} is a reusable buffer of the calling thread. The COPY columns are
     * written as bytes straight into {@code line}, the event's canonical JSON after them; when it
     * has no backslash (COPY doubles those) the row's canonical bytes are that slice of the COPY
     * row, else the event's own array.
     */
    static Row of(NormalisedEvent e, CanonicalJson.Bytes line) {
      byte[] c = e.canonical();
      int n = c.length;
      line.reset();
      copyText(line, e.eventId());
      line.put('\t');
      copyText(line, e.position().topic());
      line.put('\t');
      line.decimal(e.position().partition());
      line.put('\t');
      line.decimal(e.position().offset());
      line.put('\t');
      line.ascii(e.occurredAt().toString());
      line.put('\t');
      line.decimal(e.classUid());
      line.put('\t');
      if (e.runnerId() == null) {
        line.ascii("\\N");
      } else {
        copyText(line, e.runnerId());
      }
      line.put('\t');
      if (e.jobId() == null) {
        line.ascii("\\N");
      } else {
        line.decimal(e.jobId());
      }
      line.put('\t');
      line.decimal(e.severityId());
      line.put('\t');
      line.put(e.deadLettered() ? 't' : 'f');
      line.put('\t');
      // the canonical JSON has no raw tab, newline or carriage return (JSON escapes them): in
      // COPY text only its backslashes need doubling
      int start = line.length();
      int plain = 0;
      while (plain < n && c[plain] != '\\') {
        plain++;
      }
      line.ensure(plain + 2 * (n - plain) + 1);
      byte[] b = line.array();
      System.arraycopy(c, 0, b, start, plain);
      int p = start + plain;
      for (int i = plain; i < n; i++) {
        byte x = c[i];
        b[p++] = x;
        if (x == '\\') {
          b[p++] = '\\';
        }
      }
      b[p++] = '\t';
      byte[] prefix = Arrays.copyOf(b, p);
      // the row keeps the event's columns but not its canonical bytes a second time
      NormalisedEvent columns = e.withCanonical(null);
      return plain < n
          ? new Row(columns, prefix, c, 0, n)
          : new Row(columns, prefix, prefix, start, n);
    }
  }

  private static final String COPY_IN =
      "COPY audit_event (event_id, topic, kafka_partition, kafka_offset, occurred_at, class_uid,"
          + " runner_id, job_id, severity_id, dead_lettered, ocsf, prev_hash, hash) FROM STDIN";

  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  /** Writes {@code \\x<hex>} (a bytea in hex form, COPY-text escaped) of a 32-byte hash. */
  private static void copyHash(CanonicalJson.Bytes out, byte[] hash) {
    out.ensure(3 + 2 * hash.length);
    out.put('\\');
    out.put('\\');
    out.put('x');
    byte[] hex = new byte[2 * hash.length];
    for (int i = 0; i < hash.length; i++) {
      hex[2 * i] = HEX[(hash[i] >> 4) & 0xf];
      hex[2 * i + 1] = HEX[hash[i] & 0xf];
    }
    out.put(hex, 0, hex.length);
  }

  /**
   * Appends the rows with one {@code COPY ... FROM STDIN} (text format): the fast path, under the
   * chain head lock. A unique violation on an event id means the batch holds one already stored:
   * {@link StoredIdsInBatch} when the caller did not look them up (it appends again, looking them
   * up); when it did, the id appeared concurrently, and the batch fails as retriable and is redone.
   * Under the lock only the hashes are computed; the rows stream to PostgreSQL in pieces of about
   * 64 KB (PostgreSQL starts on the first rows sooner) while the next ones are hashed. Returns the
   * new head hash.
   */
  private static byte[] copyRows(
      PGConnection pg, List<Row> rows, byte[] head, boolean storedIdsRemoved) throws SQLException {
    long n;
    try {
      org.postgresql.copy.CopyIn in = pg.getCopyAPI().copyIn(COPY_IN);
      try {
        CanonicalJson.Bytes chunk = new CanonicalJson.Bytes(1 << 16);
        for (Row r : rows) {
          byte[] hash = r.hash(head);
          chunk.put(r.copyPrefix(), 0, r.copyPrefix().length);
          copyHash(chunk, head);
          chunk.put('\t');
          copyHash(chunk, hash);
          chunk.put('\n');
          head = hash;
          if (chunk.length() >= (1 << 16) - 4096) {
            in.writeToCopy(chunk.array(), 0, chunk.length());
            chunk.reset();
          }
        }
        if (chunk.length() > 0) {
          in.writeToCopy(chunk.array(), 0, chunk.length());
        }
        n = in.endCopy();
      } catch (SQLException | RuntimeException e) {
        if (in.isActive()) {
          try {
            in.cancelCopy();
          } catch (SQLException suppressed) {
            e.addSuppressed(suppressed);
          }
        }
        throw e;
      }
    } catch (SQLException sql) {
      if ("23505".equals(sql.getSQLState())) {
        if (!storedIdsRemoved) {
          throw new StoredIdsInBatch(sql);
        }
        throw new SQLException("event id appeared concurrently; retrying", "40001", sql);
      }
      throw sql;
    }
    if (n != rows.size()) {
      throw new SQLException("COPY stored " + n + " of " + rows.size() + " rows", "40001");
    }
    return head;
  }

  /**
   * COPY text-format escaping of a value as UTF-8: backslash, tab, newline, carriage return (all
   * ASCII, so escaping the UTF-8 bytes is the same as escaping the characters).
   */
  private static void copyText(CanonicalJson.Bytes out, String v) {
    byte[] u = v.getBytes(StandardCharsets.UTF_8);
    out.ensure(2 * u.length);
    for (byte x : u) {
      switch (x) {
        case '\\':
          out.put('\\');
          out.put('\\');
          break;
        case '\t':
          out.put('\\');
          out.put('t');
          break;
        case '\n':
          out.put('\\');
          out.put('n');
          break;
        case '\r':
          out.put('\\');
          out.put('r');
          break;
        default:
          out.put(x);
      }
    }
  }

  /** Appends the rows with a batched INSERT (a driver other than PostgreSQL's). */
  private static byte[] insertRows(
      Connection c, List<Row> rows, byte[] head, boolean storedIdsRemoved) throws SQLException {
    try (PreparedStatement ins = c.prepareStatement(INSERT)) {
      for (Row r : rows) {
        NormalisedEvent e = r.event();
        String canonical = new String(r.canonical(), StandardCharsets.UTF_8);
        byte[] hash = r.hash(head);
        ins.setString(1, e.eventId());
        ins.setString(2, e.position().topic());
        ins.setInt(3, e.position().partition());
        ins.setLong(4, e.position().offset());
        ins.setTimestamp(5, Timestamp.from(e.occurredAt()));
        ins.setInt(6, e.classUid());
        ins.setString(7, e.runnerId());
        if (e.jobId() == null) {
          ins.setNull(8, Types.BIGINT);
        } else {
          ins.setLong(8, e.jobId());
        }
        ins.setInt(9, e.severityId());
        ins.setBoolean(10, e.deadLettered());
        ins.setString(11, canonical);
        ins.setBytes(12, head);
        ins.setBytes(13, hash);
        ins.addBatch();
        head = hash;
      }
      for (int n : ins.executeBatch()) {
        if (n == 0) {
          // refuse rather than leave a gap in the chain
          if (!storedIdsRemoved) {
            throw new StoredIdsInBatch(new SQLException("event id already stored", "23505"));
          }
          throw new SQLException("event id appeared concurrently; retrying", "40001");
        }
      }
    }
    return head;
  }

  /**
   * Walks the chain in seq order from the newest retention checkpoint (or from the genesis when
   * nothing was pruned) and reports the first row that does not verify. A checkpoint whose
   * signature does not verify with the configured key is itself reported as broken.
   */
  public VerifyResult verify() throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      try {
        return verify(c);
      } finally {
        c.rollback();
      }
    }
  }

  private VerifyResult verify(Connection c) throws SQLException {
    Checkpoint cp = latestCheckpoint(c);
    byte[] expectedPrev = HashChain.GENESIS;
    long from = 0;
    if (cp != null) {
      if (!cp.verifiedBy(signer)) {
        return new VerifyResult(
            false,
            0,
            new VerifyResult.Broken(
                cp.throughSeq(),
                null,
                signer.hasKey()
                    ? "retention checkpoint signature does not verify (forged or altered)"
                    : "retention checkpoint cannot be verified: no checkpoint key configured"),
            cp);
      }
      expectedPrev = cp.lastHash();
      from = cp.throughSeq();
    }
    long checked = 0;
    try (PreparedStatement q =
        c.prepareStatement(
            "SELECT seq, event_id, ocsf::text, prev_hash, hash FROM audit_event WHERE seq > ?"
                + " ORDER BY seq")) {
      q.setLong(1, from);
      q.setFetchSize(1000);
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          long seq = rs.getLong(1);
          String eventId = rs.getString(2);
          byte[] prev = rs.getBytes(4);
          byte[] hash = rs.getBytes(5);
          checked++;
          if (!Arrays.equals(expectedPrev, prev)) {
            return new VerifyResult(
                false,
                checked,
                new VerifyResult.Broken(
                    seq,
                    eventId,
                    checked == 1 && cp != null
                        ? "prev_hash does not match the retention checkpoint's hash"
                        : "prev_hash does not match the previous row's hash"),
                cp);
          }
          JsonNode ocsf = parse(rs.getString(3));
          if (!Arrays.equals(hash, HashChain.hash(prev, ocsf))) {
            return new VerifyResult(
                false,
                checked,
                new VerifyResult.Broken(seq, eventId, "hash does not match the row's OCSF event"),
                cp);
          }
          expectedPrev = hash;
        }
      }
    }
    try (PreparedStatement h = c.prepareStatement("SELECT seq, hash FROM chain_head");
        ResultSet rs = h.executeQuery()) {
      if (rs.next()
          && (checked > 0 || cp != null)
          && !Arrays.equals(rs.getBytes(2), expectedPrev)) {
        return new VerifyResult(
            false,
            checked,
            new VerifyResult.Broken(
                rs.getLong(1), null, "chain head does not match the last row (rows removed)"),
            cp);
      }
    }
    return new VerifyResult(true, checked, null, cp);
  }

  /** The newest retention checkpoint, or null when nothing was ever pruned. */
  public Checkpoint latestCheckpoint() throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      return latestCheckpoint(c);
    }
  }

  private static Checkpoint latestCheckpoint(Connection c) throws SQLException {
    try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT through_seq, last_hash, pruned_rows, created_at, algorithm, key_id,"
                    + " signature FROM audit_checkpoint ORDER BY through_seq DESC LIMIT 1");
        ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        return null;
      }
      return new Checkpoint(
          rs.getLong(1),
          rs.getBytes(2),
          rs.getLong(3),
          rs.getTimestamp(4).toInstant(),
          rs.getString(5),
          rs.getString(6),
          rs.getBytes(7));
    }
  }

  /**
   * Prunes the oldest rows: every row before the first one stored at or after {@code cutoff}, but
   * none after {@code maxSeq} (the lowest position of the enabled sinks, so no sink loses an event
   * it has not delivered). In one transaction with the chain head locked: appends a checkpoint
   * signed by {@code signer} naming the last pruned row's seq and hash, then deletes through the
   * controlled path {@code audit_prune()}. Returns the new checkpoint, or null when nothing was old
   * enough.
   */
  public Checkpoint prune(Instant cutoff, long maxSeq) throws SQLException {
    if (!signer.hasKey()) {
      throw new IllegalStateException("retention needs a checkpoint key");
    }
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        long headSeq;
        try (PreparedStatement lock =
                c.prepareStatement("SELECT seq FROM chain_head WHERE id = 1 FOR UPDATE");
            ResultSet rs = lock.executeQuery()) {
          rs.next();
          headSeq = rs.getLong(1);
        }
        long through = Math.min(headSeq, maxSeq);
        try (PreparedStatement ps =
            c.prepareStatement("SELECT min(seq) FROM audit_event WHERE stored_at >= ?")) {
          ps.setTimestamp(1, Timestamp.from(cutoff));
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            long firstYoung = rs.getLong(1);
            if (!rs.wasNull()) {
              through = Math.min(through, firstYoung - 1);
            }
          }
        }
        byte[] lastHash = null;
        long rows = 0;
        long lastSeq = 0;
        try (PreparedStatement ps =
            c.prepareStatement("SELECT count(*), max(seq) FROM audit_event WHERE seq <= ?")) {
          ps.setLong(1, through);
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            rows = rs.getLong(1);
            lastSeq = rs.getLong(2);
          }
        }
        if (rows == 0) {
          c.rollback();
          return null;
        }
        try (PreparedStatement ps =
            c.prepareStatement("SELECT hash FROM audit_event WHERE seq = ?")) {
          ps.setLong(1, lastSeq);
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            lastHash = rs.getBytes(1);
          }
        }
        Instant now = Instant.ofEpochMilli(System.currentTimeMillis());
        Checkpoint cp =
            new Checkpoint(
                lastSeq,
                lastHash,
                rows,
                now,
                CheckpointSigner.ALGORITHM,
                signer.keyId(),
                signer.sign(lastSeq, lastHash, rows, now));
        try (PreparedStatement ins =
            c.prepareStatement(
                "INSERT INTO audit_checkpoint (through_seq, last_hash, pruned_rows, created_at,"
                    + " algorithm, key_id, signature) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
          ins.setLong(1, cp.throughSeq());
          ins.setBytes(2, cp.lastHash());
          ins.setLong(3, cp.prunedRows());
          ins.setTimestamp(4, Timestamp.from(cp.createdAt()));
          ins.setString(5, cp.algorithm());
          ins.setString(6, cp.keyId());
          ins.setBytes(7, cp.signature());
          ins.executeUpdate();
        }
        try (PreparedStatement del = c.prepareStatement("SELECT audit_prune(?)")) {
          del.setLong(1, lastSeq);
          try (ResultSet rs = del.executeQuery()) {
            rs.next();
            if (rs.getLong(1) != rows) {
              throw new SQLException(
                  "pruned " + rs.getLong(1) + " rows, expected " + rows, "40001");
            }
          }
        }
        c.commit();
        return cp;
      } catch (SQLException | RuntimeException e) {
        try {
          c.rollback();
        } catch (SQLException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
    }
  }

  /** The lowest durable position among the named sinks (0 when one never delivered). */
  public long minSinkPosition(java.util.Collection<String> sinks) throws SQLException {
    long min = Long.MAX_VALUE;
    for (String s : sinks) {
      min = Math.min(min, sinkPosition(s));
    }
    return min;
  }

  /** A runner's events in time order. */
  public List<StoredEvent> timeline(String runnerId, int limit) throws SQLException {
    return query(
        "SELECT "
            + COLUMNS
            + " FROM audit_event WHERE runner_id = ? ORDER BY occurred_at, seq LIMIT ?",
        ps -> {
          ps.setString(1, runnerId);
          ps.setInt(2, limit);
        });
  }

  /** A job's events in time order. */
  public List<StoredEvent> job(long jobId, int limit) throws SQLException {
    return query(
        "SELECT "
            + COLUMNS
            + " FROM audit_event WHERE job_id = ? ORDER BY occurred_at, seq LIMIT ?",
        ps -> {
          ps.setLong(1, jobId);
          ps.setInt(2, limit);
        });
  }

  /** Detection findings at or above a severity, at or after a time, newest first. */
  public List<StoredEvent> findings(int minSeverity, Instant since, int limit) throws SQLException {
    return query(
        "SELECT "
            + COLUMNS
            + " FROM audit_event WHERE class_uid = 2004 AND severity_id >= ? AND severity_id <> 99"
            + " AND occurred_at >= ? ORDER BY occurred_at DESC, seq DESC LIMIT ?",
        ps -> {
          ps.setInt(1, minSeverity);
          ps.setTimestamp(2, Timestamp.from(since));
          ps.setInt(3, limit);
        });
  }

  /** Rows after a seq, in seq order, for a sink. */
  public List<StoredEvent> after(long seq, int limit) throws SQLException {
    return query(
        "SELECT " + COLUMNS + " FROM audit_event WHERE seq > ? ORDER BY seq LIMIT ?",
        ps -> {
          ps.setLong(1, seq);
          ps.setInt(2, limit);
        });
  }

  /** The seq of the chain's last row (0 when empty). */
  public long headSeq() throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT seq FROM chain_head WHERE id = 1");
        ResultSet rs = ps.executeQuery()) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  /** The last seq a sink forwarded (0 when it never did). */
  public long sinkPosition(String sink) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement("SELECT last_seq FROM sink_position WHERE sink = ?")) {
      ps.setString(1, sink);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    }
  }

  /** Records that a sink forwarded everything up to a seq (never moves backwards). */
  public void advanceSink(String sink, long seq) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO sink_position (sink, last_seq) VALUES (?, ?) ON CONFLICT (sink) DO"
                    + " UPDATE SET last_seq = GREATEST(sink_position.last_seq, EXCLUDED.last_seq),"
                    + " updated_at = now()")) {
      ps.setString(1, sink);
      ps.setLong(2, seq);
      ps.executeUpdate();
    }
  }

  private interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  private List<StoredEvent> query(String sql, Binder binder) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      binder.bind(ps);
      List<StoredEvent> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new StoredEvent(
                  rs.getLong(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getInt(4),
                  rs.getInt(5),
                  rs.getTimestamp(6).toInstant(),
                  rs.getBoolean(7),
                  parse(rs.getString(8))));
        }
      }
      return out;
    }
  }

  static JsonNode parse(String json) throws SQLException {
    try {
      return JSON.readTree(json);
    } catch (java.io.IOException e) {
      throw new SQLException("stored OCSF is not JSON", "XX001", e);
    }
  }
}
