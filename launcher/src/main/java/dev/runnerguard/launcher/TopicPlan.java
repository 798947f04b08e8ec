package dev.runnerguard.launcher;

import dev.runnerguard.schemas.ConsumingChannel;
import dev.runnerguard.schemas.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The topics the local stack needs: every {@link Topics} entry with its partitions and cleanup
 * policy ({@link Topics#topicConfig()}), plus the dead-letter topic of every {@link
 * ConsumingChannel} (one partition, deleted by time). Replication factor is 1: the local broker is
 * a single node.
 */
public final class TopicPlan {

  /** Partitions of a dead-letter topic locally: they only hold records nobody could process. */
  public static final int DEAD_LETTER_PARTITIONS = 1;

  /** One topic to create, with its topic-level configuration. */
  public record TopicSpec(String name, int partitions, Map<String, String> config) {
    public TopicSpec {
      config = Map.copyOf(config);
    }
  }

  private TopicPlan() {}

  /** All topics, platform topics first in declaration order, then dead-letter topics. */
  public static List<TopicSpec> topics() {
    List<TopicSpec> out = new ArrayList<>();
    for (Topics t : Topics.values()) {
      out.add(new TopicSpec(t.topicName(), t.partitions(), t.topicConfig()));
    }
    for (ConsumingChannel c : ConsumingChannel.values()) {
      String dlt = c.deadLetterTopic();
      if (out.stream().noneMatch(s -> s.name().equals(dlt))) {
        out.add(new TopicSpec(dlt, DEAD_LETTER_PARTITIONS, Map.of("cleanup.policy", "delete")));
      }
    }
    return List.copyOf(out);
  }
}
