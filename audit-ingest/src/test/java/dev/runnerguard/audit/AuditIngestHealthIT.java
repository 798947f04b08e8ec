package dev.runnerguard.audit;

import dev.runnerguard.testing.KafkaTestResource;
import dev.runnerguard.testing.PostgresTestResource;
import dev.runnerguard.testing.ServiceHealthContract;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The service starts against the real broker and PostgreSQL and answers health and metrics. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(PostgresTestResource.class)
class AuditIngestHealthIT extends ServiceHealthContract {}
