package dev.runnerguard.schemas.serde;

import dev.runnerguard.schemas.ReleasedSchema;
import dev.runnerguard.schemas.Schemas;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Encodes and decodes one generated record type with Avro single-object encoding: {@code C3 01},
 * the 8-byte little-endian CRC-64-AVRO fingerprint of the writer schema, then the Avro binary body.
 * No schema registry is needed: the fingerprint selects the writer schema among the current schema
 * and every released version of the record, so records written by older producers stay readable.
 *
 * <p>Instances are immutable and thread-safe; {@link #of(Class)} caches one per type.
 *
 * @param <T> the generated record class
 */
public final class EventCodec<T extends SpecificRecord> {

  private static final byte[] MAGIC = {(byte) 0xC3, (byte) 0x01};
  private static final int HEADER_LENGTH = MAGIC.length + 8;
  private static final Map<Class<?>, EventCodec<?>> CACHE = new ConcurrentHashMap<>();

  private final Class<T> type;
  private final Schema schema;
  private final List<ReleasedSchema> released;
  private final Set<Long> knownFingerprints;
  private final SpecificDatumWriter<T> writer;
  private final byte[] header;
  private final BinaryMessageDecoder<T> decoder;

  private EventCodec(Class<T> type, List<ReleasedSchema> released) {
    this.type = type;
    this.schema = Schemas.currentSchema(type);
    this.released = List.copyOf(released);
    SpecificData model = modelFor(type);
    this.writer = new SpecificDatumWriter<>(schema, model);
    this.header = singleObjectHeader(schema);
    this.decoder = new BinaryMessageDecoder<>(model, schema);
    released.forEach(r -> decoder.addSchema(r.schema()));
    this.knownFingerprints =
        Stream.concat(Stream.of(schema), released.stream().map(ReleasedSchema::schema))
            .map(SchemaNormalization::parsingFingerprint64)
            .collect(Collectors.toUnmodifiableSet());
  }

  /**
   * A data model that instantiates records with the record class's own class loader (not the
   * thread's context loader, which differs under Quarkus tests and application servers) and knows
   * the generated class's logical-type conversions.
   */
  private static SpecificData modelFor(Class<?> type) {
    SpecificData generated = SpecificData.getForClass(type);
    SpecificData model = new SpecificData(type.getClassLoader());
    generated.getConversions().forEach(model::addLogicalTypeConversion);
    return model;
  }

  /** The codec of a generated record class, reading its released versions from the classpath. */
  @SuppressWarnings("unchecked")
  public static <T extends SpecificRecord> EventCodec<T> of(Class<T> type) {
    Objects.requireNonNull(type, "type");
    return (EventCodec<T>)
        CACHE.computeIfAbsent(type, t -> new EventCodec<>(type, Schemas.released(type)));
  }

  /**
   * A codec that knows exactly the given older writer schemas besides the current one (not cached);
   * for tests and tools.
   */
  public static <T extends SpecificRecord> EventCodec<T> withReleased(
      Class<T> type, List<ReleasedSchema> released) {
    return new EventCodec<>(Objects.requireNonNull(type, "type"), released);
  }

  /** The record class. */
  public Class<T> type() {
    return type;
  }

  /** The current (reader and writer) schema. */
  public Schema schema() {
    return schema;
  }

  /** The released versions this codec can read, oldest first. */
  public List<ReleasedSchema> releasedSchemas() {
    return released;
  }

  /**
   * Encodes a record with the current schema: the same bytes as Avro's {@code
   * BinaryMessageEncoder}, written through a buffered encoder into this thread's scratch array and
   * copied out once at their exact length. (The message encoder wrote each field straight into a
   * synchronized {@code ByteArrayOutputStream} that grew from 256 bytes by doubling: for a 10 KB
   * delivery that was three arrays and a final copy.)
   */
  public byte[] encode(T record) {
    Objects.requireNonNull(record, "record");
    Scratch scratch = SCRATCH.get();
    boolean encoded = false;
    try {
      scratch.out.write(header, 0, header.length);
      scratch.encoder = EncoderFactory.get().binaryEncoder(scratch.out, scratch.encoder);
      writer.write(record, scratch.encoder);
      scratch.encoder.flush();
      byte[] bytes = scratch.out.toByteArray();
      encoded = true;
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode " + type.getSimpleName(), e);
    } finally {
      if (!encoded) {
        scratch.encoder = null; // it may hold half a record, which reusing it would flush
      }
      scratch.out.shrink();
    }
  }

  /** {@code C3 01} and the schema's CRC-64-AVRO fingerprint, little-endian. */
  private static byte[] singleObjectHeader(Schema schema) {
    long fingerprint = SchemaNormalization.parsingFingerprint64(schema);
    byte[] header = new byte[HEADER_LENGTH];
    header[0] = MAGIC[0];
    header[1] = MAGIC[1];
    for (int i = 0; i < 8; i++) {
      header[MAGIC.length + i] = (byte) (fingerprint >>> (8 * i));
    }
    return header;
  }

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  /** One thread's encoder and output array, reused from record to record. */
  private static final class Scratch {
    final ScratchOutput out = new ScratchOutput();
    BinaryEncoder encoder;
  }

  /**
   * An unsynchronized growable byte array; after a record over {@link #KEEP} bytes it lets the
   * large array go, so one huge delivery does not pin its size to the thread.
   */
  static final class ScratchOutput extends OutputStream {
    static final int INITIAL = 16 * 1024;
    static final int KEEP = 1 << 20;
    private byte[] bytes = new byte[INITIAL];
    private int count;

    /** Empties the array for the next record (every encode ends here, even a failed one). */
    void shrink() {
      if (bytes.length > KEEP) {
        bytes = new byte[INITIAL];
      }
      count = 0;
    }

    @Override
    public void write(int b) {
      ensure(1);
      bytes[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      Objects.checkFromIndexSize(off, len, b.length);
      ensure(len);
      System.arraycopy(b, off, bytes, count, len);
      count += len;
    }

    private void ensure(int more) {
      if (count + more > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(count + more, 2 * bytes.length));
      }
    }

    byte[] toByteArray() {
      return Arrays.copyOf(bytes, count);
    }
  }

  /**
   * Decodes a record written with the current or a released schema.
   *
   * @throws UndecodableRecordException when the bytes are null, empty, not single-object encoded,
   *     carry an unknown fingerprint, or hold a truncated or malformed body
   */
  public T decode(byte[] bytes) {
    return decode(null, -1, -1, bytes);
  }

  /**
   * Decodes a record read from a topic, partition and offset, which a failure names.
   *
   * @throws UndecodableRecordException as {@link #decode(byte[])}, naming the location
   */
  public T decode(String topic, int partition, long offset, byte[] bytes) {
    String problem = headerProblem(bytes);
    if (problem != null) {
      throw new UndecodableRecordException(topic, partition, offset, problem, null);
    }
    try {
      T record = decoder.decode(new ByteArrayInputStream(bytes), null);
      if (record == null) {
        throw new UndecodableRecordException(topic, partition, offset, "decoded to null", null);
      }
      return record;
    } catch (UndecodableRecordException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      String reason =
          causedByEndOfInput(e)
              ? "truncated body (" + bytes.length + " bytes)"
              : "malformed " + type.getSimpleName() + " body (" + rootCause(e) + ")";
      throw new UndecodableRecordException(topic, partition, offset, reason, e);
    }
  }

  private static boolean causedByEndOfInput(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof EOFException) {
        return true;
      }
    }
    return false;
  }

  /** The class of the innermost cause; Avro's messages are left out of the reason. */
  private static String rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName();
  }

  private String headerProblem(byte[] bytes) {
    if (bytes == null) {
      return "null value";
    }
    if (bytes.length == 0) {
      return "empty value";
    }
    if (bytes[0] != MAGIC[0] || (bytes.length > 1 && bytes[1] != MAGIC[1])) {
      return "not Avro single-object encoded (header is not C3 01)";
    }
    if (bytes.length < HEADER_LENGTH) {
      return "truncated header (" + bytes.length + " of " + HEADER_LENGTH + " bytes)";
    }
    long fingerprint = 0;
    for (int i = HEADER_LENGTH - 1; i >= MAGIC.length; i--) {
      fingerprint = (fingerprint << 8) | (bytes[i] & 0xFF);
    }
    if (!knownFingerprints.contains(fingerprint)) {
      return String.format(
          "unknown schema fingerprint 0x%016x for %s (knows %d schemas)",
          fingerprint, type.getName(), knownFingerprints.size());
    }
    return null;
  }
}
