package dev.runnerguard.audit.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** How a batch is split into lanes prepared at once: partitions whole, in offset order. */
class LanesTest {

  private static ConsumerRecords<String, byte[]> batch(Object... topicPartitionCount) {
    Map<TopicPartition, List<ConsumerRecord<String, byte[]>>> m = new HashMap<>();
    for (int i = 0; i < topicPartitionCount.length; i += 3) {
      TopicPartition tp =
          new TopicPartition((String) topicPartitionCount[i], (Integer) topicPartitionCount[i + 1]);
      List<ConsumerRecord<String, byte[]>> rs = new ArrayList<>();
      for (long o = 0; o < (Integer) topicPartitionCount[i + 2]; o++) {
        rs.add(new ConsumerRecord<>(tp.topic(), tp.partition(), 100 + o, "k", new byte[0]));
      }
      m.put(tp, rs);
    }
    return new ConsumerRecords<>(m, Map.of());
  }

  @Test
  void everyRecordIsInExactlyOneLaneAndEachPartitionWholeInOffsetOrder() {
    ConsumerRecords<String, byte[]> records =
        batch(
            "runner.signal",
            0,
            700,
            "runner.signal",
            1,
            300,
            "runner.lifecycle",
            4,
            500,
            "runner.finding",
            2,
            100,
            "falco.events",
            0,
            1);
    List<List<ConsumerRecord<String, byte[]>>> lanes = PlatformIntake.lanes(records, 2);

    assertThat(lanes).hasSize(2);
    assertThat(lanes.stream().mapToInt(List::size).sum()).isEqualTo(records.count());
    Map<TopicPartition, Integer> laneOf = new HashMap<>();
    for (int i = 0; i < lanes.size(); i++) {
      Map<TopicPartition, Long> last = new HashMap<>();
      for (ConsumerRecord<String, byte[]> r : lanes.get(i)) {
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        assertThat(laneOf.putIfAbsent(tp, i)).as("%s in one lane", tp).isIn(null, i);
        Long before = last.put(tp, r.offset());
        if (before != null) {
          assertThat(r.offset()).as("%s in offset order", tp).isEqualTo(before + 1);
        }
      }
    }
    // largest first to the smaller lane: 700 | 500+300+1 ... balanced within one partition
    assertThat(lanes.get(0).size() + lanes.get(1).size()).isEqualTo(1601);
    assertThat(Math.abs(lanes.get(0).size() - lanes.get(1).size())).isLessThanOrEqualTo(700);
    assertThat(lanes.stream().mapToInt(List::size).min().orElseThrow()).isGreaterThan(700);
  }

  @Test
  void oneLaneForOnePartitionAndOneEmptyLaneForAnEmptyBatch() {
    assertThat(PlatformIntake.lanes(batch("runner.signal", 3, 50), 2)).hasSize(1);
    assertThat(PlatformIntake.lanes(batch(), 2))
        .hasSize(1)
        .allSatisfy(l -> assertThat(l).isEmpty());
  }
}
