package dev.runnerguard.schemas;

import org.apache.avro.Schema;

/**
 * One released version of a record schema, kept in the module as {@code
 * released/<RecordName>/v<version>.avsc}.
 *
 * @param recordName the record's simple name, e.g. {@code WorkflowJobEvent}
 * @param version the version number, from 1
 * @param location where it was read from, e.g. {@code released/WorkflowJobEvent/v1.avsc}
 * @param schema the parsed, self-contained schema
 */
public record ReleasedSchema(String recordName, int version, String location, Schema schema) {

  /** The path of a released version relative to the released root: {@code Name/vN.avsc}. */
  public static String relativePath(String recordName, int version) {
    return recordName + "/v" + version + ".avsc";
  }
}
