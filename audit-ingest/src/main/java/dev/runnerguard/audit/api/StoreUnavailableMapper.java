package dev.runnerguard.audit.api;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.sql.SQLException;
import java.util.Map;
import org.jboss.logging.Logger;

/** A store failure behind the API answers 503 with a short JSON body, never internals. */
@Provider
public class StoreUnavailableMapper implements ExceptionMapper<SQLException> {
  private static final Logger LOG = Logger.getLogger(StoreUnavailableMapper.class);

  @Override
  public Response toResponse(SQLException e) {
    LOG.warnf("audit store query failed: %s", e.getMessage());
    return Response.status(503)
        .type(MediaType.APPLICATION_JSON)
        .entity(Map.of("error", "audit store unavailable"))
        .build();
  }
}
