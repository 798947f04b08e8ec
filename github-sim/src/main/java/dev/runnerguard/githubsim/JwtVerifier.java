package dev.runnerguard.githubsim;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.SignedJWT;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * GitHub App JWT rules (reference docs/github-app-jwt.md): RS256, signature by the App's key, the
 * App found by {@code iss} (app id or client id), {@code exp} in the future but at most 10 min
 * ahead, {@code iat} not in the future. Pure: the clock is a parameter.
 */
public final class JwtVerifier {

  /** A registered App as the verifier needs it. */
  public record AppKey(long appId, String clientId, RSAPublicKey publicKey) {}

  /** Outcome: the App, or a refusal message (never containing the token). */
  public record Result(AppKey app, String refusal) {
    public boolean ok() {
      return app != null;
    }
  }

  /** GitHub's "no more than 10 minutes into the future". */
  public static final Duration MAX_AHEAD = Duration.ofMinutes(10);

  /** Tolerated clock drift between the client and the simulator. */
  public static final Duration SKEW = Duration.ofSeconds(30);

  /** Longest lifetime: 10 min plus the 60 s back-dating GitHub recommends for {@code iat}. */
  public static final Duration MAX_LIFETIME = MAX_AHEAD.plusSeconds(60);

  private JwtVerifier() {}

  public static Result verify(
      String token, Function<String, Optional<AppKey>> appByIssuer, Instant now) {
    if (token == null || token.isBlank()) {
      return refuse("A JSON web token could not be decoded");
    }
    SignedJWT jwt;
    Map<String, Object> claims;
    try {
      jwt = SignedJWT.parse(token.trim());
      // Raw claims: GitHub accepts a numeric iss (the app id), which Nimbus' typed parser refuses.
      claims = jwt.getPayload().toJSONObject();
      if (claims == null) {
        throw new ParseException("no JSON payload", 0);
      }
    } catch (ParseException | RuntimeException e) {
      return refuse("A JSON web token could not be decoded");
    }
    if (!JWSAlgorithm.RS256.equals(jwt.getHeader().getAlgorithm())) {
      return refuse("The JWT must be signed with the RS256 algorithm");
    }
    Object iss = claims.get("iss");
    if (!(iss instanceof String) && !(iss instanceof Number)) {
      return refuse("'Issuer' claim ('iss') must be the App's client ID or app ID");
    }
    Optional<AppKey> app = appByIssuer.apply(String.valueOf(iss));
    if (app.isEmpty()) {
      return refuse("'Issuer' claim ('iss') does not name a registered GitHub App");
    }
    try {
      if (!jwt.verify(new RSASSAVerifier(app.get().publicKey()))) {
        return refuse("A JSON web token could not be verified: bad signature");
      }
    } catch (JOSEException | RuntimeException e) {
      return refuse("A JSON web token could not be verified: bad signature");
    }
    Object iatClaim = claims.get("iat");
    Object expClaim = claims.get("exp");
    if (iatClaim != null && !(iatClaim instanceof Number)
        || expClaim != null && !(expClaim instanceof Number)) {
      return refuse("'iat' and 'exp' claims must be integers (seconds since the epoch)");
    }
    if (iatClaim == null) {
      return refuse(
          "'Issued at' claim ('iat') must be an Integer representing the time that the assertion"
              + " was issued");
    }
    if (expClaim == null) {
      return refuse(
          "'Expiration time' claim ('exp') must be a numeric value representing the future time at"
              + " which the assertion expires");
    }
    Instant issued = Instant.ofEpochSecond(((Number) iatClaim).longValue());
    Instant expires = Instant.ofEpochSecond(((Number) expClaim).longValue());
    if (issued.isAfter(now.plus(SKEW))) {
      return refuse("'Issued at' claim ('iat') must be an Integer representing a time in the past");
    }
    if (!expires.isAfter(now)) {
      return refuse("'Expiration time' claim ('exp') is in the past: the JWT has expired");
    }
    if (expires.isAfter(now.plus(MAX_AHEAD).plus(SKEW))
        || Duration.between(issued, expires).compareTo(MAX_LIFETIME) > 0) {
      return refuse(
          "'Expiration time' claim ('exp') is too far in the future (at most 10 minutes)");
    }
    if (!expires.isAfter(issued)) {
      return refuse("'Expiration time' claim ('exp') must be after 'Issued at' ('iat')");
    }
    return new Result(app.get(), null);
  }

  private static Result refuse(String message) {
    return new Result(null, message);
  }
}
