package dev.runnerguard.githubsim;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Error answers: GitHub's {@code basic-error} shape for the REST subset, {error,message} for /_sim.
 */
public final class ApiError extends WebApplicationException {

  public static final String DOCS = "https://docs.github.com/rest";

  private ApiError(Response response) {
    super(response);
  }

  /** GitHub basic-error: {@code {"message", "documentation_url", "status"}}. */
  public static ApiError github(int status, String message) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("message", message);
    body.put("documentation_url", DOCS);
    body.put("status", String.valueOf(status));
    return new ApiError(json(status, body));
  }

  /** GitHub validation-error-simple: {@code {"message", "documentation_url", "errors": [..]}}. */
  public static ApiError validation(List<String> errors) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("message", "Validation Failed");
    body.put("errors", errors);
    body.put("documentation_url", DOCS);
    body.put("status", "422");
    return new ApiError(json(422, body));
  }

  /** Control API error: {@code {"error": reason, "message": text}}. */
  public static ApiError control(int status, String reason, String message) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", reason);
    body.put("message", message);
    return new ApiError(json(status, body));
  }

  static Response json(int status, Object body) {
    return Response.status(status).type(MediaType.APPLICATION_JSON).entity(body).build();
  }
}
