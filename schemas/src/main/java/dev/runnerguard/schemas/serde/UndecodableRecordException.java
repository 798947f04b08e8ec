package dev.runnerguard.schemas.serde;

import org.apache.kafka.common.errors.RecordDeserializationException;

/**
 * A record value that can never be decoded: unknown schema fingerprint, not single-object encoded,
 * truncated or malformed body, null or empty. Permanent, not retriable: a consumer sends the record
 * to its channel's dead-letter topic and goes on.
 *
 * <p>The message names where the record was (topic, partition, offset, when known) and why; it
 * never contains the record's bytes.
 */
public class UndecodableRecordException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String topic;
  private final int partition;
  private final long offset;
  private final String reason;

  /**
   * Creates the exception.
   *
   * @param topic the topic, or null when unknown
   * @param partition the partition, or -1 when unknown
   * @param offset the offset, or -1 when unknown
   * @param reason why the record cannot be decoded; must not contain record bytes
   * @param cause the underlying failure, or null
   */
  public UndecodableRecordException(
      String topic, int partition, long offset, String reason, Throwable cause) {
    super(message(topic, partition, offset, reason), cause);
    this.topic = topic;
    this.partition = partition;
    this.offset = offset;
    this.reason = reason;
  }

  /** A failure without a known location. */
  public UndecodableRecordException(String reason, Throwable cause) {
    this(null, -1, -1, reason, cause);
  }

  /** The same failure, located at a topic, partition and offset. */
  public UndecodableRecordException at(String topic, int partition, long offset) {
    UndecodableRecordException located =
        new UndecodableRecordException(topic, partition, offset, reason, getCause());
    located.setStackTrace(getStackTrace());
    return located;
  }

  /**
   * The undecodable record a Kafka consumer reported, located at the topic, partition and offset
   * the consumer knows; for consumers that catch {@link RecordDeserializationException} and send
   * the record to their dead-letter topic.
   */
  public static UndecodableRecordException from(RecordDeserializationException e) {
    String topic = e.topicPartition().topic();
    int partition = e.topicPartition().partition();
    if (e.getCause() instanceof UndecodableRecordException u) {
      return u.at(topic, partition, e.offset());
    }
    Throwable cause = e.getCause() == null ? e : e.getCause();
    return new UndecodableRecordException(
        topic,
        partition,
        e.offset(),
        "deserialization failed (" + cause.getClass().getSimpleName() + ")",
        e);
  }

  /** The topic of the record, or null when unknown. */
  public String topic() {
    return topic;
  }

  /** The partition of the record, or -1 when unknown. */
  public int partition() {
    return partition;
  }

  /** The offset of the record, or -1 when unknown. */
  public long offset() {
    return offset;
  }

  /** Why the record cannot be decoded. */
  public String reason() {
    return reason;
  }

  private static String message(String topic, int partition, long offset, String reason) {
    StringBuilder m = new StringBuilder("cannot decode record");
    if (topic != null) {
      m.append(partition >= 0 ? " at " : " from ").append(topic);
      if (partition >= 0) {
        m.append('-').append(partition);
        if (offset >= 0) {
          m.append('@').append(offset);
        }
      }
    } else if (partition >= 0 || offset >= 0) {
      m.append(" at partition ").append(partition).append(" offset ").append(offset);
    }
    return m.append(": ").append(reason).toString();
  }
}
