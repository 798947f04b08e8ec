package dev.runnerguard.gateway.intake;

import static dev.runnerguard.gateway.intake.WebhookIntakeFixture.SECRET;
import static org.assertj.core.api.Assertions.assertThat;

import dev.runnerguard.gateway.signature.WebhookSignatureVerifier;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Property-based: whatever bodies and headers arrive, the intake never throws (so never a 5xx) and
 * never produces without a valid signature; with a valid signature, a random body is either a
 * record or a clear 400.
 */
class WebhookIntakePropertiesTest {
  private final WebhookIntake intake = WebhookIntakeFixture.intake(List.of());

  @Property(tries = 2000)
  void unsignedRandomRequestsAreNeverProduced(
      @ForAll("contentTypes") String contentType,
      @ForAll("events") String event,
      @ForAll("headerValues") String delivery,
      @ForAll("headerValues") String signature,
      @ForAll("bodies") byte[] body) {
    var decision =
        intake.examine(
            new WebhookIntake.Request(
                "127.0.0.1", contentType, event, delivery, signature, null, null, body));
    assertThat(decision).isInstanceOf(WebhookIntake.Reject.class);
    assertThat(((WebhookIntake.Reject) decision).reason().status()).isBetween(400, 499);
  }

  @Property(tries = 2000)
  void signedRandomBodiesAreARecordOrA400(
      @ForAll("events") String event, @ForAll("bodies") byte[] body) {
    var decision =
        intake.examine(
            new WebhookIntake.Request(
                "127.0.0.1",
                "application/json; charset=utf-8",
                event,
                "d-1",
                WebhookSignatureVerifier.sign(SECRET, body),
                "00-x",
                null,
                body));
    if (decision instanceof WebhookIntake.Reject reject) {
      assertThat(reject.reason().status()).isBetween(400, 499);
    } else if (decision instanceof WebhookIntake.Produce produce) {
      assertThat(WebhookIntake.PRODUCED_EVENTS).contains(produce.event());
      assertThat(produce.record().key()).matches("[1-9][0-9]*");
    } else {
      assertThat(decision).isInstanceOfAny(WebhookIntake.Ping.class, WebhookIntake.Ignore.class);
    }
  }

  /** The hand-written header checks agree with the regular expressions they replaced. */
  @Property(tries = 5000)
  void headerChecksMatchTheirRegularExpressions(@ForAll("headerLike") String value) {
    assertThat(WebhookIntake.isDeliveryId(value))
        .as("delivery id %s", value)
        .isEqualTo(value.matches("[A-Za-z0-9-]{1,64}"));
    assertThat(WebhookIntake.isName(value, 64))
        .as("event %s", value)
        .isEqualTo(value.matches("[a-z_]{1,64}"));
    assertThat(WebhookIntake.isName(value, 40))
        .as("action %s", value)
        .isEqualTo(value.matches("[a-z_]{1,40}"));
    assertThat(WebhookIntake.isPrintableAscii(value))
        .as("printable %s", value)
        .isEqualTo(value.matches("[\\x20-\\x7E]*"));
  }

  @Provide
  Arbitrary<String> headerLike() {
    // mostly near-valid strings: the edges (length 0/1/40/41/64/65, one odd character) matter
    return Arbitraries.oneOf(
        Arbitraries.strings().withChars("abcxyz_-09AZ").ofMinLength(0).ofMaxLength(70),
        Arbitraries.strings().withCharRange('a', 'z').ofMinLength(38).ofMaxLength(66),
        Arbitraries.strings()
            .withCharRange('\u0000', '\u00ff')
            .withChars("\u2028\uffff")
            .ofMaxLength(70),
        Arbitraries.strings().withCharRange('\u001e', '\u0080').ofMaxLength(10));
  }

  @Provide
  Arbitrary<String> contentTypes() {
    return Arbitraries.oneOf(
        Arbitraries.of("application/json", "application/json; charset=utf-8", "text/plain", ""),
        Arbitraries.strings().ofMaxLength(40));
  }

  @Provide
  Arbitrary<String> events() {
    return Arbitraries.oneOf(
        Arbitraries.of("workflow_job", "workflow_run", "installation", "ping", "push"),
        Arbitraries.strings().ofMaxLength(20));
  }

  @Provide
  Arbitrary<String> headerValues() {
    return Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(80),
        Arbitraries.strings().withCharRange('0', 'f').ofLength(64).map(h -> "sha256=" + h),
        Arbitraries.just(null));
  }

  @Provide
  Arbitrary<byte[]> bodies() {
    Arbitrary<String> json =
        Arbitraries.of(
                "{\"action\":\"queued\",\"workflow_job\":{\"id\":%s,\"labels\":[%s]},\"repository\":{\"full_name\":%s}}",
                "{\"action\":%s,\"workflow_run\":{\"id\":%s},\"installation\":{\"id\":%s}}",
                "[%s,%s,%s]")
            .flatMap(
                template ->
                    Arbitraries.of(
                            "1",
                            "-1",
                            "0",
                            "\"7\"",
                            "null",
                            "1e3",
                            "99999999999999999999",
                            "\"x\"",
                            "[]",
                            "{}")
                        .list()
                        .ofSize(3)
                        .map(values -> String.format(template, values.toArray())));
    return Arbitraries.oneOf(
        json.map(s -> s.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
        Arbitraries.bytes().array(byte[].class).ofMaxSize(300));
  }
}
