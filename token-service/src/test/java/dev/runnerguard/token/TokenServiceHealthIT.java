package dev.runnerguard.token;

import dev.runnerguard.testing.KafkaTestResource;
import dev.runnerguard.testing.ServiceHealthContract;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The service starts against the real broker and answers health and metrics. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(value = GitHubSimResource.class, restrictToAnnotatedClass = true)
class TokenServiceHealthIT extends ServiceHealthContract {}
