package dev.runnerguard.schemas;

import dev.runnerguard.schemas.avro.AcceptedDelivery;
import dev.runnerguard.schemas.avro.Correlation;
import dev.runnerguard.schemas.avro.DeliveryReceipt;
import dev.runnerguard.schemas.avro.EventMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Batched receipts ({@code github.delivery}): one {@link DeliveryReceipt} record names its first
 * delivery in its own fields and further ones in {@code more}. Pure.
 *
 * <p>{@link #each} turns a record back into one receipt per delivery, so a reader (the gateway's
 * dedupe log, audit-ingest) handles a batched record exactly as it handles records written one per
 * delivery. The first keeps the record's metadata; the i-th further one (from 1) gets the event id
 * {@code <record's event id>/<i>}, so ids stay unique and the same on every read, and its own
 * delivery id as correlation.
 */
public final class DeliveryReceipts {

  /** Most deliveries one record carries: ~80 bytes each, far inside a produce request's limit. */
  public static final int MAX_PER_RECORD = 1000;

  private DeliveryReceipts() {}

  /** One receipt for the deliveries of a batch, in acceptance order. */
  public static DeliveryReceipt of(EventMetadata metadata, List<AcceptedDelivery> deliveries) {
    Objects.requireNonNull(metadata, "metadata");
    if (deliveries.isEmpty() || deliveries.size() > MAX_PER_RECORD) {
      throw new IllegalArgumentException(
          "a receipt carries 1 to " + MAX_PER_RECORD + " deliveries, not " + deliveries.size());
    }
    AcceptedDelivery first = deliveries.get(0);
    return DeliveryReceipt.newBuilder()
        .setMetadata(metadata)
        .setDeliveryId(first.getDeliveryId())
        .setEvent(first.getEvent())
        .setAction(first.getAction())
        .setTopic(first.getTopic())
        .setPartition(first.getPartition())
        .setOffset(first.getOffset())
        .setMore(new ArrayList<>(deliveries.subList(1, deliveries.size())))
        .build();
  }

  /** How many deliveries a record receipts. */
  public static int count(DeliveryReceipt receipt) {
    return 1 + receipt.getMore().size();
  }

  /**
   * Every delivery of a record as a receipt of its own (with an empty {@code more}): the record
   * itself when it names one delivery.
   */
  public static List<DeliveryReceipt> each(DeliveryReceipt receipt) {
    if (receipt.getMore().isEmpty()) {
      return List.of(receipt);
    }
    // plain constructors: the records are shared, not deep-copied (no builder from another)
    EventMetadata m = receipt.getMetadata();
    Correlation c = m.getCorrelation();
    List<DeliveryReceipt> all = new ArrayList<>(count(receipt));
    all.add(
        new DeliveryReceipt(
            m,
            receipt.getDeliveryId(),
            receipt.getEvent(),
            receipt.getAction(),
            receipt.getTopic(),
            receipt.getPartition(),
            receipt.getOffset(),
            List.of()));
    int i = 1;
    for (AcceptedDelivery d : receipt.getMore()) {
      EventMetadata own =
          new EventMetadata(
              m.getEventId() + "/" + i++,
              m.getTime(),
              m.getProducer(),
              m.getTrace(),
              new Correlation(d.getDeliveryId(), c.getJobId(), c.getRunId(), c.getRunnerId()));
      all.add(
          new DeliveryReceipt(
              own,
              d.getDeliveryId(),
              d.getEvent(),
              d.getAction(),
              d.getTopic(),
              d.getPartition(),
              d.getOffset(),
              List.of()));
    }
    return all;
  }
}
