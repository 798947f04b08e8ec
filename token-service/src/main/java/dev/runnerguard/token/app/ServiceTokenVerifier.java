package dev.runnerguard.token.app;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;

/**
 * Checks the orchestrator's service tokens: JWT HS256 signed with the shared internal secret, iss =
 * runner-orchestrator, aud = token-service, exp in the future and at most 5 min (+30 s skew) ahead.
 */
public final class ServiceTokenVerifier {
  public static final String ISSUER = "runner-orchestrator";
  public static final String AUDIENCE = "token-service";
  public static final Duration MAX_LIFETIME = Duration.ofMinutes(5);
  public static final Duration SKEW = Duration.ofSeconds(30);

  private final MACVerifier verifier;

  /**
   * @throws IllegalStateException when the secret is shorter than 32 bytes (HS256 needs 256 bits)
   */
  public ServiceTokenVerifier(String secret) {
    byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
    if (bytes.length < 32) {
      throw new IllegalStateException(
          "the internal service secret must be at least 32 bytes (RUNNERGUARD_INTERNAL_SECRET)");
    }
    try {
      this.verifier = new MACVerifier(bytes);
    } catch (JOSEException e) {
      throw new IllegalStateException("the internal service secret cannot be used for HS256");
    }
  }

  /** Empty when valid, else the reason (safe to return to the caller). */
  public Optional<String> check(String authorizationHeader, Instant now) {
    if (authorizationHeader == null
        || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.of("missing bearer service token");
    }
    String token = authorizationHeader.substring(7).trim();
    SignedJWT jwt;
    JWTClaimsSet claims;
    try {
      jwt = SignedJWT.parse(token);
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      return Optional.of("malformed service token");
    }
    if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())) {
      return Optional.of("service token must be HS256");
    }
    try {
      if (!jwt.verify(verifier)) {
        return Optional.of("bad service token signature");
      }
    } catch (JOSEException e) {
      return Optional.of("bad service token signature");
    }
    if (!ISSUER.equals(claims.getIssuer())) {
      return Optional.of("service token issuer must be " + ISSUER);
    }
    if (claims.getAudience() == null || !claims.getAudience().contains(AUDIENCE)) {
      return Optional.of("service token audience must be " + AUDIENCE);
    }
    Date exp = claims.getExpirationTime();
    if (exp == null) {
      return Optional.of("service token has no exp");
    }
    if (!exp.toInstant().isAfter(now.minus(SKEW))) {
      return Optional.of("service token expired");
    }
    if (exp.toInstant().isAfter(now.plus(MAX_LIFETIME).plus(SKEW))) {
      return Optional.of("service token exp is more than 5 minutes ahead");
    }
    return Optional.empty();
  }
}
