package dev.runnerguard.orchestrator.state;

import static dev.runnerguard.schemas.avro.RunnerState.BUSY;
import static dev.runnerguard.schemas.avro.RunnerState.COMPLETED;
import static dev.runnerguard.schemas.avro.RunnerState.DESTROYED;
import static dev.runnerguard.schemas.avro.RunnerState.EVIDENCE_CAPTURED;
import static dev.runnerguard.schemas.avro.RunnerState.FAILED;
import static dev.runnerguard.schemas.avro.RunnerState.IDLE;
import static dev.runnerguard.schemas.avro.RunnerState.LOST;
import static dev.runnerguard.schemas.avro.RunnerState.PROVISIONING;
import static dev.runnerguard.schemas.avro.RunnerState.QUARANTINED;
import static dev.runnerguard.schemas.avro.RunnerState.REQUESTED;
import static dev.runnerguard.schemas.avro.RunnerState.STARTING;

import dev.runnerguard.schemas.avro.AdmissionDecision;
import dev.runnerguard.schemas.avro.CommandType;
import dev.runnerguard.schemas.avro.Decision;
import dev.runnerguard.schemas.avro.ProviderEvent;
import dev.runnerguard.schemas.avro.RunnerCommand;
import dev.runnerguard.schemas.avro.RunnerInput;
import dev.runnerguard.schemas.avro.RunnerRecord;
import dev.runnerguard.schemas.avro.RunnerState;
import dev.runnerguard.schemas.avro.WorkflowJobEvent;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The runner lifecycle of SPEC.md as a pure function: {@code (record, input, now) -> result}. No
 * I/O, no clock, no Kafka: the stream processor stores the record, publishes the changes and hands
 * the actions to the executor.
 *
 * <pre>
 * REQUESTED -> PROVISIONING -> STARTING -> IDLE -> BUSY -> COMPLETED -> DESTROYED
 *                  |  (retries with backoff, then)  FAILED -> DESTROYED (clean-up)
 * any live state -> LOST (resource vanished)          any live state -> QUARANTINED -> EVIDENCE_CAPTURED -> DESTROYED
 * </pre>
 *
 * <p>Idempotent and order-tolerant: a duplicate input changes nothing; {@code in_progress} that
 * arrives before the provider said the runner runs still makes it BUSY; {@code completed} before
 * {@code in_progress} finishes the runner and the late {@code in_progress} is ignored; inputs for
 * an unknown runner are ignored (and reconciliation destroys what nobody knows). A runner that took
 * a job never takes a second one, and a quarantined runner never leaves quarantine but by being
 * destroyed.
 */
public final class RunnerStateMachine {

  /** States in which the runner exists (or may exist) and is not being torn down. */
  private static final Set<RunnerState> LIVE = EnumSet.of(REQUESTED, PROVISIONING, STARTING, IDLE);

  private static final Set<RunnerState> TERMINAL = EnumSet.of(DESTROYED, FAILED, LOST);

  private static final Set<RunnerState> IN_QUARANTINE = EnumSet.of(QUARANTINED, EVIDENCE_CAPTURED);

  private static final int SEEN_LIMIT = 32;

  private final Settings settings;

  public RunnerStateMachine(Settings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  /** Applies one input to a runner's record ({@code current} null when the runner is unknown). */
  public Result apply(RunnerRecord current, RunnerInput input, long now) {
    Object payload = input.getPayload();
    if (payload instanceof AdmissionDecision) {
      return admission(current, (AdmissionDecision) payload, now);
    } else if (payload instanceof WorkflowJobEvent) {
      return workflowJob(current, (WorkflowJobEvent) payload, now);
    } else if (payload instanceof RunnerCommand) {
      return command(current, (RunnerCommand) payload, now);
    } else if (payload instanceof ProviderEvent) {
      return providerEvent(current, (ProviderEvent) payload, now);
    }
    return Result.unchanged(current, "unknown input type");
  }

  // ---------------------------------------------------------------- admission

  private Result admission(RunnerRecord current, AdmissionDecision d, long now) {
    if (d.getDecision() != Decision.ADMIT || d.getRunnerSpec() == null) {
      return Result.unchanged(current, "not an admission with a runner spec");
    }
    if (current != null) {
      return Result.unchanged(current, "duplicate admission");
    }
    String runnerId =
        d.getJobId() == 0
            ? RunnerNames.poolRunnerId(d.getRunAttempt())
            : RunnerNames.runnerId(d.getJobId(), d.getRunAttempt());
    RunnerRecord r =
        RunnerRecord.newBuilder()
            .setRunnerId(runnerId)
            .setState(REQUESTED)
            .setRequestedForJobId(d.getJobId())
            .setRunAttempt(d.getRunAttempt())
            .setRepositoryFullName(d.getRepositoryFullName())
            .setOrganization(d.getOrganization())
            .setRunnerClass(d.getRunnerSpec().getRunnerClass())
            .setProvider(d.getRunnerSpec().getProvider())
            .setPolicyVersion(d.getPolicyVersion())
            .setSpec(d.getRunnerSpec())
            .setCreatedAt(now)
            .setStateSince(now)
            .setUpdatedAt(now)
            .setTimestamps(new HashMap<>(Map.of(REQUESTED.name(), now)))
            .build();
    Result result =
        Result.of(r)
            .change(
                new Change(
                    null,
                    REQUESTED,
                    d.getJobId() == 0 ? "warm pool of class " + r.getRunnerClass() : "admitted",
                    null,
                    null));
    moveTo(result, r, PROVISIONING, now, "provisioning attempt 1", null, null);
    r.setProvisionAttempts(1);
    r.setNextCheckAt(now + settings.provisionTimeout().toMillis());
    return result.action(new Action(Action.Type.PROVISION, copy(r), "admitted"));
  }

  // ---------------------------------------------------------------- webhooks

  private Result workflowJob(RunnerRecord current, WorkflowJobEvent e, long now) {
    if (current == null) {
      return Result.unchanged(null, "no runner known for this " + e.getAction() + " event");
    }
    String action = e.getAction();
    if ("in_progress".equals(action)) {
      return inProgress(current, e, now);
    } else if ("completed".equals(action)) {
      return completed(current, e, now);
    }
    return Result.unchanged(current, "action " + action + " does not concern a runner");
  }

  private Result inProgress(RunnerRecord r, WorkflowJobEvent e, long now) {
    if (!r.getRunnerId().equals(e.getRunnerName())) {
      return Result.unchanged(r, "in_progress names another runner");
    }
    RunnerState s = r.getState();
    if (s == BUSY || s == COMPLETED) {
      if (r.getJobId() != null && r.getJobId() == e.getJobId()) {
        return Result.unchanged(r, "duplicate or late in_progress");
      }
      if (s == BUSY) {
        // GitHub gave a runner that already took a job a second one: detection's
        // "ephemeral runner reused" rule judges it; the bookkeeping keeps the first job.
        return Result.unchanged(r, "runner already took job " + r.getJobId());
      }
      return Result.unchanged(r, "late in_progress after completed");
    }
    if (s == LOST && r.getJobId() == null) {
      return ranAfterAll(r, e, now);
    }
    if (!LIVE.contains(s)) {
      return Result.unchanged(r, "in_progress for a runner in state " + s);
    }
    RunnerRecord next = copy(r);
    Map<String, String> attributes = new HashMap<>();
    Result result = takeJob(r, next, e, attributes);
    long maxDuration = maxDurationMillis(r);
    moveTo(result, next, BUSY, now, "job " + e.getJobId() + " started", null, attributes);
    next.setNextCheckAt(now + Math.min(settings.jobCheckInterval().toMillis(), maxDuration));
    next.getAttributes().put("busyDeadline", Long.toString(now + maxDuration));
    return result;
  }

  private Result completed(RunnerRecord r, WorkflowJobEvent e, long now) {
    RunnerState s = r.getState();
    boolean namesThisRunner = r.getRunnerId().equals(e.getRunnerName());
    boolean ownJobNeverStarted =
        e.getRunnerName() == null && e.getJobId() == r.getRequestedForJobId();
    if (!namesThisRunner && !ownJobNeverStarted) {
      return Result.unchanged(r, "completed names another runner");
    }
    if (s == LOST && namesThisRunner && r.getJobId() == null) {
      return ranAfterAll(r, e, now);
    }
    if (s == COMPLETED || TERMINAL.contains(s) || IN_QUARANTINE.contains(s)) {
      return Result.unchanged(r, "completed for a runner in state " + s);
    }
    if (s == BUSY && r.getJobId() != null && r.getJobId() != e.getJobId()) {
      return Result.unchanged(r, "completed for another job than the one it runs");
    }
    if (ownJobNeverStarted && s == BUSY) {
      return Result.unchanged(r, "its own job ended elsewhere; it runs job " + r.getJobId());
    }
    RunnerRecord next = copy(r);
    if (next.getJobId() == null && namesThisRunner) {
      next.setJobId(e.getJobId());
      next.setRunId(e.getRunId());
    }
    Result result = Result.of(next);
    String conclusion = e.getConclusion() == null ? "unknown" : e.getConclusion();
    String why =
        namesThisRunner
            ? "job " + e.getJobId() + " completed: " + conclusion
            : "job " + e.getJobId() + " ended before a runner took it: " + conclusion;
    finish(result, next, now, why);
    return result;
  }

  /**
   * Records on {@code next} that the runner took the job of {@code e}; a job other than the one it
   * was provisioned for is GitHub's routing within the class, told to that job's own runner ({@code
   * JOB_TAKEN}).
   */
  private static Result takeJob(
      RunnerRecord r, RunnerRecord next, WorkflowJobEvent e, Map<String, String> attributes) {
    next.setJobId(e.getJobId());
    next.setRunId(e.getRunId());
    next.setJobRepositoryFullName(e.getRepositoryFullName());
    attributes.put("jobId", Long.toString(e.getJobId()));
    Result result = Result.of(next);
    if (e.getJobId() != r.getRequestedForJobId()) {
      attributes.put("provisionedForJob", Long.toString(r.getRequestedForJobId()));
      next.getAttributes().put("provisionedForJob", Long.toString(r.getRequestedForJobId()));
      result.emit(
          new Emission.JobTaken(
              RunnerNames.runnerId(e.getJobId(), e.getRunAttempt()),
              e.getJobId(),
              r.getRunnerId(),
              r.getRunnerClass(),
              e.getRunAttempt()));
    }
    return result;
  }

  /**
   * A job's {@code in_progress} or {@code completed} naming a runner already marked LOST (its
   * program exited and no webhook had come within the grace): the webhooks were only late, as when
   * the instance that owned their input partition failed and its partitions waited for the group to
   * notice (up to the session timeout). The runner did serve that job: record it, correct LOST to
   * COMPLETED and destroy again (idempotent; resources are usually gone already), so the runner
   * ends DESTROYED with its job instead of staying LOST without one.
   */
  private Result ranAfterAll(RunnerRecord r, WorkflowJobEvent e, long now) {
    RunnerRecord next = copy(r);
    Map<String, String> attributes = new HashMap<>();
    attributes.put("lateWebhook", e.getAction());
    Result result = takeJob(r, next, e, attributes);
    moveTo(
        result,
        next,
        COMPLETED,
        now,
        "job "
            + e.getJobId()
            + " ran on this runner: its "
            + e.getAction()
            + " arrived after the runner had exited and was marked LOST",
        null,
        attributes);
    next.setNextCheckAt(now + settings.destroyRetry().toMillis());
    return result.action(new Action(Action.Type.DESTROY, copy(next), "late webhook"));
  }

  // ---------------------------------------------------------------- commands

  private Result command(RunnerRecord r, RunnerCommand c, long now) {
    if (r == null) {
      return Result.unchanged(null, "command " + c.getCommand() + " for an unknown runner");
    }
    if (r.getSeen().contains(c.getCommandId())) {
      return Result.unchanged(r, "duplicate command " + c.getCommandId());
    }
    CommandType type = c.getCommand();
    if (type == CommandType.QUARANTINE) {
      if (IN_QUARANTINE.contains(r.getState())) {
        return Result.unchanged(r, "already quarantined");
      }
      if (TERMINAL.contains(r.getState())) {
        return Result.unchanged(r, "runner already " + r.getState());
      }
      RunnerRecord next = copy(r);
      remember(next, c.getCommandId());
      next.setFindingId(c.getFindingId());
      Result result = Result.of(next);
      Map<String, String> attributes = new HashMap<>();
      if (c.getFindingId() != null) {
        attributes.put("findingId", c.getFindingId());
      }
      attributes.put("requestedBy", c.getRequestedBy());
      attributes.put("step", "incident-opened");
      moveTo(result, next, QUARANTINED, now, c.getReason(), null, attributes);
      next.setNextCheckAt(now + settings.quarantineRetry().toMillis());
      return result.action(new Action(Action.Type.QUARANTINE, copy(next), c.getReason()));
    } else if (type == CommandType.DESTROY) {
      if (IN_QUARANTINE.contains(r.getState())) {
        return Result.unchanged(r, "quarantined runners are destroyed by their quarantine");
      }
      if (TERMINAL.contains(r.getState()) || r.getState() == COMPLETED) {
        return Result.unchanged(r, "runner already " + r.getState());
      }
      RunnerRecord next = copy(r);
      remember(next, c.getCommandId());
      Result result = Result.of(next);
      finish(
          result, next, now, "destroy requested by " + c.getRequestedBy() + ": " + c.getReason());
      return result;
    }
    return Result.unchanged(r, "command " + type + " is not handled by the orchestrator");
  }

  // ---------------------------------------------------------------- provider feedback

  private Result providerEvent(RunnerRecord r, ProviderEvent e, long now) {
    if (r == null) {
      if (e.getKind() == dev.runnerguard.schemas.avro.ProviderEventKind.INVENTORY) {
        // Seen at the provider or at GitHub, unknown here: an orphan. Destroy it.
        RunnerRecord orphan = orphan(e, now);
        Result result = Result.deletion(orphan);
        return result.action(
            new Action(Action.Type.DESTROY, orphan, "orphan seen at " + e.getProvider()));
      }
      return Result.unchanged(null, "provider event " + e.getKind() + " for an unknown runner");
    }
    String eventId = e.getMetadata().getEventId();
    if (r.getSeen().contains(eventId)) {
      return Result.unchanged(r, "duplicate provider event");
    }
    RunnerState s = r.getState();
    switch (e.getKind()) {
      case PROVISIONED:
        {
          if (s == PROVISIONING || s == REQUESTED) {
            RunnerRecord next = seen(r, eventId);
            e.getAttributes().forEach((k, v) -> next.getAttributes().put(k, v));
            Result result = Result.of(next);
            moveTo(
                result,
                next,
                STARTING,
                now,
                "created at " + e.getProvider(),
                e.getDurations(),
                null);
            next.setNextCheckAt(now + settings.startTimeout().toMillis());
            return result;
          }
          if (s == COMPLETED || TERMINAL.contains(s)) {
            // Created after it was no longer wanted (a slow or re-driven create): remove it.
            RunnerRecord next = seen(r, eventId);
            return Result.of(next)
                .action(new Action(Action.Type.DESTROY, copy(next), "created after " + s));
          }
          RunnerRecord next = seen(r, eventId);
          e.getAttributes().forEach((k, v) -> next.getAttributes().putIfAbsent(k, v));
          return Result.of(next);
        }
      case RUNNING:
        {
          if (s == STARTING || s == PROVISIONING || s == REQUESTED) {
            RunnerRecord next = seen(r, eventId);
            Result result = Result.of(next);
            moveTo(result, next, IDLE, now, "runner program running", e.getDurations(), null);
            next.setNextCheckAt(now + settings.idleTimeout().toMillis());
            return result;
          }
          return Result.unchanged(r, "running reported in state " + s);
        }
      case PROVISION_FAILED:
        {
          if (s != PROVISIONING && s != REQUESTED) {
            return Result.unchanged(r, "provisioning failure reported in state " + s);
          }
          RunnerRecord next = seen(r, eventId);
          Result result = Result.of(next);
          if (!e.getRetriable() || r.getProvisionAttempts() >= settings.maxProvisionAttempts()) {
            String why =
                "provisioning failed after "
                    + r.getProvisionAttempts()
                    + " attempt(s): "
                    + e.getDetail();
            moveTo(result, next, FAILED, now, why, null, null);
            next.setNextCheckAt(now + settings.terminalRetention().toMillis());
            return result.action(new Action(Action.Type.DESTROY, copy(next), "clean up failure"));
          }
          long delay = settings.backoffMillis(r.getProvisionAttempts());
          String retryAfter = e.getAttributes().get("retryAfterMillis");
          if (retryAfter != null) {
            // The token-service (GitHub's rate limit, its circuit, its budgets) asked for longer.
            delay = Math.max(delay, Long.parseLong(retryAfter));
          }
          next.setReason("attempt " + r.getProvisionAttempts() + " failed: " + e.getDetail());
          next.setNextCheckAt(now + delay);
          next.getAttributes().put("retryDue", "true");
          return result.change(
              new Change(
                  PROVISIONING,
                  PROVISIONING,
                  next.getReason(),
                  Map.of("retryDelay", delay),
                  Map.of("attempt", Integer.toString(r.getProvisionAttempts()))));
        }
      case EXITED:
        {
          RunnerRecord next = seen(r, eventId);
          next.getAttributes().put("exitedAt", Long.toString(now));
          if (s == BUSY) {
            next.setNextCheckAt(now + settings.exitedGrace().toMillis());
            return Result.of(next);
          }
          if (LIVE.contains(s)) {
            // A runner can take a job, run it and exit before the job's webhooks arrive here (they
            // travel through the gateway): wait for them before calling the runner lost.
            next.getAttributes().put("exitDetail", String.valueOf(e.getDetail()));
            next.setNextCheckAt(now + settings.exitedGrace().toMillis());
          }
          return Result.of(next);
        }
      case NOT_FOUND:
        {
          if (s == STARTING || s == IDLE || s == BUSY) {
            RunnerRecord next = seen(r, eventId);
            Result result = Result.of(next);
            moveTo(result, next, LOST, now, "resource vanished at " + e.getProvider(), null, null);
            next.setNextCheckAt(now + settings.terminalRetention().toMillis());
            return result.action(
                new Action(Action.Type.DESTROY, copy(next), "deregister a lost runner"));
          }
          if (s == COMPLETED) {
            RunnerRecord next = seen(r, eventId);
            Result result = Result.of(next);
            moveTo(result, next, DESTROYED, now, "already gone at " + e.getProvider(), null, null);
            next.setNextCheckAt(now + settings.terminalRetention().toMillis());
            return result;
          }
          return Result.unchanged(r, "not found in state " + s);
        }
      case DESTROYED:
        {
          if (s == DESTROYED) {
            return Result.unchanged(r, "already destroyed");
          }
          if (IN_QUARANTINE.contains(s)) {
            return Result.unchanged(r, "quarantine reports its own destruction");
          }
          RunnerRecord next = seen(r, eventId);
          Result result = Result.of(next);
          if (s == COMPLETED || s == FAILED || s == LOST) {
            Map<String, Long> durations = new HashMap<>(e.getDurations());
            durations.put("lifetime", now - r.getCreatedAt());
            if (s == COMPLETED) {
              moveTo(result, next, DESTROYED, now, "destroyed", durations, null);
            } else {
              result.change(new Change(s, s, "resources removed", durations, null));
            }
            next.setNextCheckAt(now + settings.terminalRetention().toMillis());
          }
          return result;
        }
      case DESTROY_FAILED:
        {
          RunnerRecord next = seen(r, eventId);
          next.setReason("destroy failed: " + e.getDetail());
          next.setNextCheckAt(now + settings.destroyRetry().toMillis());
          return Result.of(next);
        }
      case QUARANTINE_STEP:
        {
          if (!IN_QUARANTINE.contains(s)) {
            return Result.unchanged(r, "quarantine step outside quarantine");
          }
          RunnerRecord next = seen(r, eventId);
          Result result = Result.of(next);
          String step = e.getAttributes().getOrDefault("step", "step");
          if ("evidence-captured".equals(step) && s == QUARANTINED) {
            e.getAttributes()
                .forEach(
                    (k, v) -> {
                      if (k.startsWith("evidence")) {
                        next.getAttributes().put(k, v);
                      }
                    });
            moveTo(
                result,
                next,
                EVIDENCE_CAPTURED,
                now,
                e.getDetail(),
                e.getDurations(),
                e.getAttributes());
          } else {
            result.change(new Change(s, s, e.getDetail(), e.getDurations(), e.getAttributes()));
          }
          return result;
        }
      case QUARANTINE_DONE:
        {
          if (!IN_QUARANTINE.contains(s)) {
            return Result.unchanged(r, "quarantine done outside quarantine");
          }
          RunnerRecord next = seen(r, eventId);
          Result result = Result.of(next);
          Map<String, Long> durations = new HashMap<>(e.getDurations());
          moveTo(
              result,
              next,
              DESTROYED,
              now,
              "quarantine complete: " + e.getDetail(),
              durations,
              e.getAttributes());
          next.setNextCheckAt(now + settings.terminalRetention().toMillis());
          return result;
        }
      case INVENTORY:
        {
          if (TERMINAL.contains(s)) {
            return Result.of(seen(r, eventId))
                .action(new Action(Action.Type.DESTROY, copy(r), "leftover of a " + s + " runner"));
          }
          return Result.unchanged(r, "known runner");
        }
      case JOB_TAKEN:
        {
          RunnerRecord next = seen(r, eventId);
          String takenBy = e.getAttributes().get("takenBy");
          String takenByClass = e.getAttributes().get("takenByClass");
          next.getAttributes().put("jobTakenBy", String.valueOf(takenBy));
          Result result = Result.of(next);
          if (takenByClass != null && !takenByClass.equals(r.getRunnerClass())) {
            Map<String, String> attributes = new HashMap<>();
            attributes.put("jobRunnerClass", r.getRunnerClass());
            attributes.put("runnerClass", takenByClass);
            attributes.put("provisionedRunner", r.getRunnerId());
            result.emit(
                new Emission.RaiseFinding(
                    takenBy,
                    e.getJobId(),
                    "job-on-runner-of-other-class",
                    "Job ran on a runner of another class",
                    "Job "
                        + e.getJobId()
                        + " of class "
                        + r.getRunnerClass()
                        + " ran on runner "
                        + takenBy
                        + " of class "
                        + takenByClass,
                    r.getRepositoryFullName(),
                    attributes));
          }
          return result;
        }
      case JOB_STATUS:
        {
          RunnerRecord next = seen(r, eventId);
          String status = e.getAttributes().get("status");
          if ("completed".equals(status) && (s == BUSY || LIVE.contains(s))) {
            Result result = Result.of(next);
            finish(
                result,
                next,
                now,
                "job "
                    + e.getJobId()
                    + " completed at GitHub without a completed webhook ("
                    + e.getAttributes().getOrDefault("conclusion", "unknown")
                    + ")");
            return result;
          }
          if (s == BUSY) {
            next.setNextCheckAt(nextBusyCheck(next, now));
          }
          return Result.of(next);
        }
      default:
        return Result.unchanged(r, "provider event " + e.getKind() + " not handled");
    }
  }

  // ---------------------------------------------------------------- time

  /**
   * What is due for a runner at {@code now}: retries, timeouts, max duration, missing webhooks,
   * removal of old terminal records. Called periodically for every runner.
   */
  public Result tick(RunnerRecord r, long now) {
    Long due = r.getNextCheckAt();
    if (due == null || now < due) {
      return Result.unchanged(r, "nothing due");
    }
    RunnerState s = r.getState();
    RunnerRecord next = copy(r);
    Result result = Result.of(next);
    switch (s) {
      case REQUESTED:
      case PROVISIONING:
        {
          boolean retry = "true".equals(r.getAttributes().get("retryDue"));
          int attempt = r.getProvisionAttempts() + (retry ? 1 : 0);
          if (!retry && attempt >= settings.maxProvisionAttempts()) {
            moveTo(
                result,
                next,
                FAILED,
                now,
                "provisioning did not finish within " + settings.provisionTimeout(),
                null,
                null);
            next.setNextCheckAt(now + settings.terminalRetention().toMillis());
            return result.action(new Action(Action.Type.DESTROY, copy(next), "clean up failure"));
          }
          next.getAttributes().remove("retryDue");
          next.setProvisionAttempts(retry ? attempt : attempt + 1);
          next.setNextCheckAt(now + settings.provisionTimeout().toMillis());
          String why =
              retry
                  ? "provisioning attempt " + next.getProvisionAttempts()
                  : "provisioning attempt "
                      + next.getProvisionAttempts()
                      + " (the previous one did not report back)";
          result.change(
              new Change(
                  s,
                  s,
                  why,
                  null,
                  Map.of("attempt", Integer.toString(next.getProvisionAttempts()))));
          return result.action(new Action(Action.Type.PROVISION, copy(next), why));
        }
      case STARTING:
        if (exitedLongAgo(r, now)) {
          return lostAfterExit(result, next, now);
        }
        next.setNextCheckAt(now + settings.startTimeout().toMillis());
        return result.action(new Action(Action.Type.CHECK_STATUS, copy(next), "still starting"));
      case IDLE:
        {
          if (exitedLongAgo(r, now)) {
            return lostAfterExit(result, next, now);
          }
          if (r.getRequestedForJobId() != 0
              && now - r.getStateSince() >= settings.idleTimeout().toMillis()) {
            finish(result, next, now, "idle for " + settings.idleTimeout() + " without a job");
            return result;
          }
          next.setNextCheckAt(
              r.getRequestedForJobId() == 0
                  ? now + settings.startTimeout().toMillis()
                  : r.getStateSince() + settings.idleTimeout().toMillis());
          return result.action(new Action(Action.Type.CHECK_STATUS, copy(next), "idle check"));
        }
      case BUSY:
        {
          long deadline = busyDeadline(r);
          if (now >= deadline) {
            Result over = Result.of(next);
            Map<String, String> attributes = new HashMap<>();
            attributes.put("maxDurationSeconds", Long.toString(maxDurationMillis(r) / 1000));
            attributes.put("jobId", String.valueOf(r.getJobId()));
            over.emit(
                new Emission.RaiseSignal(r.getRunnerId(), "job.max-duration-exceeded", attributes));
            moveTo(
                over,
                next,
                COMPLETED,
                now,
                "job exceeded its max duration of " + maxDurationMillis(r) / 1000 + " s",
                null,
                attributes);
            next.setNextCheckAt(now + settings.destroyRetry().toMillis());
            return over.action(
                new Action(Action.Type.CANCEL_AND_DESTROY, copy(next), "max duration exceeded"));
          }
          next.setNextCheckAt(nextBusyCheck(next, now));
          return result.action(
              new Action(Action.Type.CHECK_JOB, copy(next), "is the job still running?"));
        }
      case COMPLETED:
        next.setNextCheckAt(now + settings.destroyRetry().toMillis());
        return result.action(new Action(Action.Type.DESTROY, copy(next), "destroy again"));
      case QUARANTINED:
      case EVIDENCE_CAPTURED:
        next.setNextCheckAt(now + settings.quarantineRetry().toMillis());
        result.change(new Change(s, s, "quarantine re-driven", null, Map.of("step", "retry")));
        return result.action(new Action(Action.Type.QUARANTINE, copy(next), "re-drive"));
      case DESTROYED:
      case FAILED:
      case LOST:
        return Result.deletion(r);
      default:
        next.setNextCheckAt(null);
        return result;
    }
  }

  // ---------------------------------------------------------------- helpers

  private boolean exitedLongAgo(RunnerRecord r, long now) {
    String exited = r.getAttributes().get("exitedAt");
    return exited != null && now >= Long.parseLong(exited) + settings.exitedGrace().toMillis();
  }

  private Result lostAfterExit(Result result, RunnerRecord next, long now) {
    String why =
        "runner program exited without taking a job ("
            + next.getAttributes().getOrDefault("exitDetail", "no detail")
            + ")";
    moveTo(result, next, LOST, now, why, null, null);
    next.setNextCheckAt(now + settings.terminalRetention().toMillis());
    return result.action(new Action(Action.Type.DESTROY, copy(next), "clean up"));
  }

  private void finish(Result result, RunnerRecord next, long now, String why) {
    moveTo(result, next, COMPLETED, now, why, null, null);
    next.setNextCheckAt(now + settings.destroyRetry().toMillis());
    result.action(new Action(Action.Type.DESTROY, copy(next), why));
  }

  private long maxDurationMillis(RunnerRecord r) {
    if (r.getSpec() != null && r.getSpec().getMaxDurationSeconds() > 0) {
      return r.getSpec().getMaxDurationSeconds() * 1000L;
    }
    return settings.defaultMaxDuration().toMillis();
  }

  private long busyDeadline(RunnerRecord r) {
    String d = r.getAttributes().get("busyDeadline");
    return d != null ? Long.parseLong(d) : r.getStateSince() + maxDurationMillis(r);
  }

  private long nextBusyCheck(RunnerRecord r, long now) {
    String exited = r.getAttributes().get("exitedAt");
    long next = now + settings.jobCheckInterval().toMillis();
    if (exited != null) {
      next = Math.min(next, now + settings.exitedGrace().toMillis());
    }
    return Math.min(next, busyDeadline(r));
  }

  private static void moveTo(
      Result result,
      RunnerRecord next,
      RunnerState to,
      long now,
      String reason,
      Map<String, Long> durations,
      Map<String, String> attributes) {
    RunnerState from = next.getState();
    Map<String, Long> timings = new HashMap<>(durations == null ? Map.of() : durations);
    timings.putIfAbsent("in" + capitalised(from), now - next.getStateSince());
    next.setState(to);
    next.setStateSince(now);
    next.setUpdatedAt(now);
    next.setReason(reason);
    next.getTimestamps().putIfAbsent(to.name(), now);
    result.change(new Change(from, to, reason, timings, attributes));
  }

  private static String capitalised(RunnerState s) {
    String n = s.name().toLowerCase(java.util.Locale.ROOT);
    StringBuilder b = new StringBuilder();
    boolean upper = true;
    for (char c : n.toCharArray()) {
      if (c == '_') {
        upper = true;
      } else {
        b.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      }
    }
    return b.toString();
  }

  private static RunnerRecord seen(RunnerRecord r, String id) {
    RunnerRecord next = copy(r);
    remember(next, id);
    return next;
  }

  private static void remember(RunnerRecord r, String id) {
    if (id == null) {
      return;
    }
    List<String> seen = new ArrayList<>(r.getSeen());
    seen.add(id);
    while (seen.size() > SEEN_LIMIT) {
      seen.remove(0);
    }
    r.setSeen(seen);
  }

  private static RunnerRecord orphan(ProviderEvent e, long now) {
    return RunnerRecord.newBuilder()
        .setRunnerId(e.getRunnerId())
        .setState(LOST)
        .setRequestedForJobId(RunnerNames.jobIdOf(e.getRunnerId()).orElse(0L))
        .setRepositoryFullName(e.getAttributes().getOrDefault("repository", "unknown/unknown"))
        .setOrganization(e.getAttributes().get("org"))
        .setRunnerClass("unknown")
        .setProvider(e.getProvider())
        .setCreatedAt(now)
        .setStateSince(now)
        .setUpdatedAt(now)
        .setAttributes(new HashMap<>(e.getAttributes()))
        .build();
  }

  /** A deep copy with mutable collections, so a stored record is never changed in place. */
  static RunnerRecord copy(RunnerRecord r) {
    // Field by field, not Avro's deepCopy: that resolves enum classes through the thread's context
    // class loader, which is not the record's under Quarkus' test class loaders.
    RunnerRecord c = new RunnerRecord();
    for (int i = 0; i < RunnerRecord.getClassSchema().getFields().size(); i++) {
      c.put(i, r.get(i));
    }
    c.setTimestamps(new HashMap<>(r.getTimestamps()));
    c.setAttributes(new HashMap<>(r.getAttributes()));
    c.setSeen(new ArrayList<>(r.getSeen()));
    return c;
  }
}
