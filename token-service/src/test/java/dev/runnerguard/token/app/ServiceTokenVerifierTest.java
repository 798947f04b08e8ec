package dev.runnerguard.token.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import org.junit.jupiter.api.Test;

class ServiceTokenVerifierTest {
  static final String SECRET = "0123456789abcdef0123456789abcdef-internal";
  static final Instant NOW = Instant.ofEpochSecond(1_800_000_000L);
  final ServiceTokenVerifier verifier = new ServiceTokenVerifier(SECRET);

  /** A service token as the orchestrator makes it. */
  public static String token(String secret, String iss, String aud, Instant exp) throws Exception {
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer(iss)
            .audience(aud)
            .issueTime(Date.from(exp.minusSeconds(60)))
            .expirationTime(Date.from(exp))
            .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
    return jwt.serialize();
  }

  @Test
  void validTokenPasses() throws Exception {
    String t = token(SECRET, "runner-orchestrator", "token-service", NOW.plusSeconds(120));
    assertThat(verifier.check("Bearer " + t, NOW)).isEmpty();
  }

  @Test
  void expiredRefused() throws Exception {
    String t = token(SECRET, "runner-orchestrator", "token-service", NOW.minusSeconds(120));
    assertThat(verifier.check("Bearer " + t, NOW)).contains("service token expired");
  }

  @Test
  void tooLongLivedRefused() throws Exception {
    String t = token(SECRET, "runner-orchestrator", "token-service", NOW.plusSeconds(3600));
    assertThat(verifier.check("Bearer " + t, NOW)).get().asString().contains("5 minutes");
  }

  @Test
  void wrongAudienceOrIssuerRefused() throws Exception {
    assertThat(
            verifier.check(
                "Bearer " + token(SECRET, "runner-orchestrator", "policy", NOW.plusSeconds(60)),
                NOW))
        .get()
        .asString()
        .contains("audience");
    assertThat(
            verifier.check(
                "Bearer " + token(SECRET, "someone", "token-service", NOW.plusSeconds(60)), NOW))
        .get()
        .asString()
        .contains("issuer");
  }

  @Test
  void wrongSecretRefused() throws Exception {
    String t =
        token(
            "another-secret-another-secret-another",
            "runner-orchestrator",
            "token-service",
            NOW.plusSeconds(60));
    assertThat(verifier.check("Bearer " + t, NOW)).contains("bad service token signature");
  }

  @Test
  void noneMissingAndMalformedRefused() {
    String none =
        new PlainJWT(
                new JWTClaimsSet.Builder()
                    .issuer("runner-orchestrator")
                    .audience("token-service")
                    .expirationTime(Date.from(NOW.plusSeconds(60)))
                    .build())
            .serialize();
    assertThat(verifier.check("Bearer " + none, NOW)).isPresent();
    assertThat(verifier.check(null, NOW)).contains("missing bearer service token");
    assertThat(verifier.check("Basic abc", NOW)).contains("missing bearer service token");
    assertThat(verifier.check("Bearer x.y.z", NOW)).isPresent();
  }

  @Test
  void shortSecretRefusedAtStart() {
    assertThatThrownBy(() -> new ServiceTokenVerifier("short"))
        .hasMessageContaining("32 bytes")
        .message()
        .doesNotContain("short\"");
  }
}
