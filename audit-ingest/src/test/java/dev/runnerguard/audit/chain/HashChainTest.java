package dev.runnerguard.audit.chain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;

class HashChainTest {
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void hashIsSha256OfPrevHashThenCanonicalJson() throws Exception {
    ObjectNode e = (ObjectNode) json.readTree("{\"b\":2,\"a\":1}");
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    sha.update(new byte[32]);
    sha.update("{\"a\":1,\"b\":2}".getBytes(StandardCharsets.UTF_8));
    assertThat(HashChain.hash(HashChain.GENESIS, e)).isEqualTo(sha.digest());
  }

  @Test
  void aChainVerifiesAndATamperedRowDoesNot() throws Exception {
    ObjectNode[] events = new ObjectNode[3];
    byte[][] prev = new byte[3][];
    byte[][] hash = new byte[3][];
    byte[] head = HashChain.GENESIS;
    for (int i = 0; i < 3; i++) {
      events[i] = (ObjectNode) json.readTree("{\"n\":" + i + "}");
      prev[i] = head;
      hash[i] = HashChain.hash(head, events[i]);
      head = hash[i];
    }
    byte[] expected = HashChain.GENESIS;
    for (int i = 0; i < 3; i++) {
      assertThat(HashChain.intact(expected, prev[i], hash[i], events[i])).isTrue();
      expected = hash[i];
    }
    events[1].put("n", 99);
    assertThat(HashChain.intact(hash[0], prev[1], hash[1], events[1])).isFalse();
    // a removed row breaks the next one's link
    assertThat(HashChain.intact(hash[0], prev[2], hash[2], events[2])).isFalse();
  }

  @Test
  void hashesDifferWithThePreviousHash() throws Exception {
    ObjectNode e = (ObjectNode) json.readTree("{\"a\":1}");
    byte[] other = new byte[32];
    other[0] = 1;
    assertThat(HashChain.hash(HashChain.GENESIS, e)).isNotEqualTo(HashChain.hash(other, e));
    assertThat(HashChain.hex(HashChain.hash(HashChain.GENESIS, e))).hasSize(64);
  }
}
