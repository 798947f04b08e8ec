package dev.runnerguard.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runnerguard.schemas.RawBodies;
import dev.runnerguard.schemas.ReleasedSchema;
import dev.runnerguard.schemas.SampleRecords;
import dev.runnerguard.schemas.Schemas;
import dev.runnerguard.schemas.avro.WorkflowJobEvent;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.RecordDeserializationException.DeserializationExceptionOrigin;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class EventCodecTest {

  private final EventCodec<WorkflowJobEvent> codec = EventCodec.of(WorkflowJobEvent.class);

  static Stream<Class<? extends SpecificRecord>> recordClasses() {
    return Schemas.recordClasses().stream();
  }

  @ParameterizedTest
  @MethodSource("recordClasses")
  @SuppressWarnings({"unchecked", "rawtypes"})
  void roundTripsEveryRecordType(Class<? extends SpecificRecord> type) {
    SpecificRecord sample = SampleRecords.sample(type);
    EventCodec c = EventCodec.of(type);

    byte[] bytes = c.encode(sample);

    assertThat(bytes[0]).isEqualTo((byte) 0xC3);
    assertThat(bytes[1]).isEqualTo((byte) 0x01);
    assertThat(c.decode(bytes)).isEqualTo(sample);
  }

  @ParameterizedTest
  @MethodSource("recordClasses")
  @SuppressWarnings({"unchecked", "rawtypes"})
  void encodesTheSameBytesAsAvrosMessageEncoder(Class<? extends SpecificRecord> type)
      throws Exception {
    SpecificRecord sample = SampleRecords.sample(type);
    EventCodec c = EventCodec.of(type);
    byte[] expected =
        new BinaryMessageEncoder<SpecificRecord>(SpecificData.getForClass(type), c.schema())
            .encode(sample)
            .array();

    assertThat(c.encode(sample)).isEqualTo(expected);
    assertThat(c.encode(sample)).as("again, from the reused scratch").isEqualTo(expected);
  }

  @Test
  void aHugeRecordThenASmallOneEncodeAsAvroDoes() throws Exception {
    WorkflowJobEvent huge = SampleRecords.workflowJob();
    byte[] big = new byte[3 * EventCodec.ScratchOutput.KEEP];
    new java.util.Random(7).nextBytes(big);
    huge.setRawBody(ByteBuffer.wrap(big));
    WorkflowJobEvent small = SampleRecords.workflowJob();
    var avro =
        new BinaryMessageEncoder<WorkflowJobEvent>(
            SpecificData.getForClass(WorkflowJobEvent.class), codec.schema());

    assertThat(codec.encode(huge)).isEqualTo(avro.encode(huge).array());
    assertThat(codec.encode(small)).isEqualTo(avro.encode(small).array());
  }

  @Test
  void aRecordThatFailsToEncodeLeavesNothingBehindForTheNext() throws Exception {
    WorkflowJobEvent broken = SampleRecords.workflowJob();
    broken.setRepositoryFullName(null); // a required string: Avro refuses it mid-record
    WorkflowJobEvent good = SampleRecords.workflowJob();
    byte[] expected =
        new BinaryMessageEncoder<WorkflowJobEvent>(
                SpecificData.getForClass(WorkflowJobEvent.class), codec.schema())
            .encode(good)
            .array();

    assertThatThrownBy(() -> codec.encode(broken)).isInstanceOf(RuntimeException.class);
    assertThat(codec.encode(good)).isEqualTo(expected);
  }

  @ParameterizedTest
  @MethodSource("recordClasses")
  void knowsTheReleasedVersionsOnTheClasspath(Class<? extends SpecificRecord> type) {
    List<ReleasedSchema> released = EventCodec.of(type).releasedSchemas();

    assertThat(released).isNotEmpty();
    assertThat(released.get(0).location())
        .isEqualTo("released/" + type.getSimpleName() + "/v1.avsc");
  }

  @Test
  void decodesARecordWrittenWithAnOlderReleasedSchema() throws Exception {
    // An "older release" without runAttempt (current default 1) and without organization.
    Schema current = WorkflowJobEvent.getClassSchema();
    Schema old = withoutFields(current, "runAttempt", "organization");
    WorkflowJobEvent sample = SampleRecords.workflowJob();
    GenericRecord oldRecord = toGeneric(sample, old);
    byte[] bytes =
        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), old).encode(oldRecord).array();
    EventCodec<WorkflowJobEvent> withOld =
        EventCodec.withReleased(
            WorkflowJobEvent.class,
            List.of(new ReleasedSchema("WorkflowJobEvent", 1, "test", old)));

    WorkflowJobEvent decoded = withOld.decode(bytes);

    assertThat(decoded.getJobId()).isEqualTo(42L);
    assertThat(decoded.getRunAttempt()).isEqualTo(1);
    assertThat(decoded.getOrganization()).isNull();
    assertThat(decoded.getMetadata()).isEqualTo(sample.getMetadata());
    assertThat(decoded.getCreatedAt()).isEqualTo(sample.getCreatedAt());
    assertThat(decoded.getRawBody()).isEqualTo(sample.getRawBody());
    // The default codec does not know that schema: its fingerprint is unknown.
    assertThatThrownBy(() -> codec.decode("github.workflow-job", 3, 42, bytes))
        .isInstanceOf(UndecodableRecordException.class)
        .hasMessageContaining("unknown schema fingerprint 0x")
        .hasMessageContaining(
            String.format("0x%016x", SchemaNormalization.parsingFingerprint64(old)));
  }

  @Test
  void aWorkflowJobWrittenWithReleasedV1KeepsItsGzipBodyUnderTheRenamedField() throws Exception {
    // v1 called the field rawBodyGzip and had no rawBodyEncoding; the current schema reads it
    // through the alias into rawBody, with the encoding's default "gzip".
    Schema v1 = codec.releasedSchemas().get(0).schema();
    assertThat(v1.getField("rawBodyGzip")).isNotNull();
    assertThat(v1.getField("rawBodyEncoding")).isNull();
    byte[] body = "{\"workflow_job\":{\"id\":42}}".getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream gzip = new ByteArrayOutputStream();
    try (var out = new GZIPOutputStream(gzip)) {
      out.write(body);
    }
    GenericRecord old = toGeneric(SampleRecords.workflowJob(), v1);
    old.put("rawBodyGzip", ByteBuffer.wrap(gzip.toByteArray()));
    byte[] bytes =
        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old).array();

    WorkflowJobEvent decoded = codec.decode(bytes);

    assertThat(decoded.getJobId()).isEqualTo(42L);
    assertThat(decoded.getRawBodyEncoding()).isEqualTo(RawBodies.GZIP);
    assertThat(RawBodies.decode(decoded.getRawBodyEncoding(), decoded.getRawBody()))
        .isEqualTo(body);
  }

  @Test
  void unknownFingerprintNamesTopicPartitionAndOffset() {
    byte[] bytes = codec.encode(SampleRecords.workflowJob());
    bytes[2] ^= 0x5A;

    assertThatThrownBy(() -> codec.decode("github.workflow-job", 3, 42, bytes))
        .isInstanceOfSatisfying(
            UndecodableRecordException.class,
            e -> {
              assertThat(e.topic()).isEqualTo("github.workflow-job");
              assertThat(e.partition()).isEqualTo(3);
              assertThat(e.offset()).isEqualTo(42);
              assertThat(e.reason()).startsWith("unknown schema fingerprint 0x");
            })
        .hasMessageStartingWith(
            "cannot decode record at github.workflow-job-3@42: unknown schema fingerprint 0x");
  }

  @Test
  void truncatedBodyIsUndecodable() {
    byte[] bytes = codec.encode(SampleRecords.workflowJob());

    for (int length : new int[] {10, 11, bytes.length / 2, bytes.length - 1}) {
      byte[] truncated = Arrays.copyOf(bytes, length);
      assertThatThrownBy(() -> codec.decode("t", 0, 1, truncated))
          .as("truncated to %d bytes", length)
          .isInstanceOf(UndecodableRecordException.class)
          .hasMessageStartingWith("cannot decode record at t-0@1: ");
    }
    assertThatThrownBy(() -> codec.decode(Arrays.copyOf(bytes, bytes.length - 1)))
        .hasMessage("cannot decode record: truncated body (" + (bytes.length - 1) + " bytes)");
  }

  @Test
  void truncatedHeaderIsUndecodable() {
    byte[] bytes = Arrays.copyOf(codec.encode(SampleRecords.workflowJob()), 6);

    assertThatThrownBy(() -> codec.decode(bytes))
        .isInstanceOf(UndecodableRecordException.class)
        .hasMessageContaining("truncated header (6 of 10 bytes)");
  }

  @Test
  void emptyAndNullAreUndecodable() {
    assertThatThrownBy(() -> codec.decode(new byte[0]))
        .isInstanceOfSatisfying(
            UndecodableRecordException.class,
            e -> {
              assertThat(e.reason()).isEqualTo("empty value");
              assertThat(e.topic()).isNull();
              assertThat(e.partition()).isEqualTo(-1);
              assertThat(e.offset()).isEqualTo(-1);
            });
    assertThatThrownBy(() -> codec.decode("t", 1, 2, null))
        .isInstanceOf(UndecodableRecordException.class)
        .hasMessage("cannot decode record at t-1@2: null value");
  }

  @Test
  void garbageIsUndecodable() {
    byte[] json = "{\"action\":\"queued\"}".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> codec.decode("t", 0, 0, json))
        .isInstanceOf(UndecodableRecordException.class)
        .hasMessageContaining("not Avro single-object encoded");

    // A valid header followed by garbage.
    byte[] header = Arrays.copyOf(codec.encode(SampleRecords.workflowJob()), 10);
    byte[] garbage = new byte[40];
    Arrays.fill(garbage, (byte) 0xFF);
    byte[] bytes = concat(header, garbage);
    assertThatThrownBy(() -> codec.decode("t", 0, 0, bytes))
        .isInstanceOf(UndecodableRecordException.class)
        .hasMessageContaining("WorkflowJobEvent body");
  }

  @Test
  void messagesNeverContainThePayload() {
    byte[] bytes = codec.encode(SampleRecords.workflowJob());
    byte[] truncated = Arrays.copyOf(bytes, bytes.length - 3);
    byte[] unknown = bytes.clone();
    unknown[5] ^= 1;
    byte[] badMagic = bytes.clone();
    badMagic[0] = 'x';

    for (byte[] b : List.of(truncated, unknown, badMagic)) {
      assertThatThrownBy(() -> codec.decode("t", 0, 0, b))
          .isInstanceOfSatisfying(
              UndecodableRecordException.class,
              e -> {
                String text = e.getMessage() + " " + e.reason() + " " + e;
                assertThat(text)
                    .doesNotContain(SampleRecords.SECRET_MARKER)
                    .doesNotContain("acme/app")
                    .doesNotContain(HexFormat.of().formatHex(b, 10, 30))
                    .doesNotContain(Base64.getEncoder().encodeToString(b).substring(16, 40));
              });
    }
  }

  @Test
  void locatingAnExceptionKeepsTheReason() {
    UndecodableRecordException e = new UndecodableRecordException("empty value", null);

    UndecodableRecordException located = e.at("runner.signal", 2, 9);

    assertThat(located).hasMessage("cannot decode record at runner.signal-2@9: empty value");
    assertThat(located.reason()).isEqualTo("empty value");
    assertThat(new UndecodableRecordException("runner.signal", -1, -1, "x", null))
        .hasMessage("cannot decode record from runner.signal: x");
  }

  @Test
  void locatesWhatTheKafkaConsumerReports() {
    UndecodableRecordException fromDeserializer =
        new UndecodableRecordException("github.workflow-job", -1, -1, "empty value", null);
    var reported =
        new RecordDeserializationException(
            DeserializationExceptionOrigin.VALUE,
            new TopicPartition("github.workflow-job", 4),
            17,
            0L,
            TimestampType.CREATE_TIME,
            null,
            null,
            new RecordHeaders(),
            "Error deserializing VALUE",
            fromDeserializer);

    assertThat(UndecodableRecordException.from(reported))
        .hasMessage("cannot decode record at github.workflow-job-4@17: empty value");
  }

  private static Schema withoutFields(Schema schema, String... names) {
    List<String> removed = List.of(names);
    List<Schema.Field> fields =
        schema.getFields().stream()
            .filter(f -> !removed.contains(f.name()))
            .map(f -> new Schema.Field(f, f.schema()))
            .toList();
    return Schema.createRecord(
        schema.getName(), schema.getDoc(), schema.getNamespace(), false, fields);
  }

  private static GenericRecord toGeneric(WorkflowJobEvent record, Schema target) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new SpecificDatumWriter<WorkflowJobEvent>(WorkflowJobEvent.getClassSchema())
        .write(record, encoder);
    encoder.flush();
    GenericRecord full =
        new GenericDatumReader<GenericRecord>(WorkflowJobEvent.getClassSchema())
            .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
    GenericData.Record old = new GenericData.Record(target);
    target.getFields().stream()
        .filter(f -> full.getSchema().getField(f.name()) != null)
        .forEach(f -> old.put(f.name(), full.get(f.name())));
    return old;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
