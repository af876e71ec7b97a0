using System.Text.Json;
using Supervision.Functions.Triggers;
using Supervision.Runtime;

// In the app's root namespace so HandlerApp needs one line, MapTriggerEndpoints(), and no using.
namespace Supervision.Functions;

/// <summary>
/// The endpoints the Functions host calls for the non-HTTP functions: <c>POST /sweep</c> (timer) and
/// <c>POST /work</c> (queue). They decode the host's payload, call the runtime's <see cref="ISweeper"/> and
/// <see cref="IWorkProcessor"/> (resolved from DI per request) and answer in the custom-handler format.
/// Status codes carry the retry decision: 2xx = done (the host deletes the message); non-2xx = failed (the host
/// makes the message visible again, and after <c>maxDequeueCount</c> deliveries moves it to the poison queue).
/// </summary>
public static class TriggerEndpoints
{
    public static IEndpointConventionBuilder MapTriggerEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var options = new TriggerOptions();
        endpoints.ServiceProvider.GetRequiredService<IConfiguration>().GetSection(TriggerOptions.Section).Bind(options);
        options.Validate();

        var group = endpoints.MapGroup(string.Empty).WithTags("functions-host");
        group.AddEndpointFilter(async (context, next) =>
            HostOnly.Refusal(context.HttpContext.Request) is { } refused ? refused : await next(context));
        group.MapPost("/" + TriggerNames.SweepFunction, (HttpContext http, ILoggerFactory logs) => SweepAsync(http, options, logs.CreateLogger(typeof(TriggerEndpoints).FullName + ".Sweep")));
        group.MapPost("/" + TriggerNames.WorkFunction, (HttpContext http, ILoggerFactory logs) => WorkAsync(http, options, logs.CreateLogger(typeof(TriggerEndpoints).FullName + ".Work")));
        return group;
    }

    private static async Task<IResult> SweepAsync(HttpContext http, TriggerOptions options, ILogger logger)
    {
        var ct = http.RequestAborted;
        using var document = await ReadJsonAsync(http, ct);
        if (document.Error is { } unreadable)
        {
            return unreadable;
        }

        bool? pastDue;
        try
        {
            var payload = HostPayload.Parse(document.Value!);
            var timer = payload.Binding(TriggerNames.TimerBinding, TriggerNames.SweepFunction);
            if (timer.ValueKind != JsonValueKind.Object)
            {
                throw new HostPayloadException($"\"Data.{TriggerNames.TimerBinding}\" must be the host's timer object {{Schedule, ScheduleStatus, IsPastDue}}, got a JSON {timer.ValueKind.ToString().ToLowerInvariant()}.");
            }

            pastDue = HostPayload.ReadFlag(HostPayload.Property(timer, "IsPastDue"));
        }
        catch (HostPayloadException e)
        {
            return Malformed(e, TriggerNames.SweepFunction);
        }

        if (http.RequestServices.GetService<ISweeper>() is not { } sweeper)
        {
            return NotWired(nameof(ISweeper));
        }

        var logs = new List<string>();
        if (pastDue == true)
        {
            logs.Add("sweep: timer is past due (a tick was missed); sweeping now");
        }

        var enqueued = 0;
        var passes = 0;
        var remaining = true;
        try
        {
            while (remaining && passes < options.MaxSweepsPerTick)
            {
                var result = await sweeper.SweepAsync(ct);
                passes++;
                enqueued += result.Enqueued;
                remaining = result.Remaining;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            logger.LogError(e, "Sweep failed after {Passes} pass(es), {Enqueued} enqueued", passes, enqueued);
            return Results.Problem(
                title: "Sweep failed",
                detail: $"The sweeper threw {e.GetType().Name}: {e.Message}. {enqueued} work message(s) were enqueued before the fault. " +
                        "Timer runs are not retried; the next tick sweeps again (duplicates are harmless).",
                statusCode: StatusCodes.Status500InternalServerError);
        }

        logs.Add($"sweep: enqueued {enqueued} work message(s) in {passes} pass(es)");
        if (remaining)
        {
            logs.Add($"sweep: more due wake-ups remain after {options.MaxSweepsPerTick} pass(es); the next tick continues");
        }

        logger.LogInformation("Sweep enqueued {Enqueued} in {Passes} pass(es), remaining {Remaining}", enqueued, passes, remaining);
        return HandlerResponse.Ok(logs);
    }

    private static async Task<IResult> WorkAsync(HttpContext http, TriggerOptions options, ILogger logger)
    {
        var ct = http.RequestAborted;
        using var document = await ReadJsonAsync(http, ct);
        if (document.Error is { } unreadable)
        {
            return unreadable;
        }

        WorkMessage message;
        try
        {
            var payload = HostPayload.Parse(document.Value!);
            var field = $"Data.{TriggerNames.MessageBinding}";
            var body = HostPayload.DecodeMessage(payload.Binding(TriggerNames.MessageBinding, TriggerNames.WorkFunction), field);
            var count = payload.MetadataValue("DequeueCount") is { } c
                ? HostPayload.ReadCount(c, "Metadata.DequeueCount")
                : throw new HostPayloadException("\"Metadata.DequeueCount\" is missing: the host sends it with every queue-triggered call.");
            if (count < 1)
            {
                throw new HostPayloadException($"\"Metadata.DequeueCount\" must be at least 1 (this delivery counts), got {count}.");
            }

            var id = payload.MetadataValue("Id") is { } i ? HostPayload.DecodeString(i, "Metadata.Id") : string.Empty;
            message = new WorkMessage(id, body, count);
        }
        catch (HostPayloadException e)
        {
            return Malformed(e, TriggerNames.WorkFunction);
        }

        if (http.RequestServices.GetService<IWorkProcessor>() is not { } processor)
        {
            return NotWired(nameof(IWorkProcessor));
        }

        var lastDelivery = message.DequeueCount >= options.MaxDequeueCount;
        var logs = new List<string> { $"work: message {message.QueueMessageId} delivery {message.DequeueCount} of {options.MaxDequeueCount}" };
        if (lastDelivery)
        {
            logs.Add($"work: DequeueCount {message.DequeueCount} >= maxDequeueCount {options.MaxDequeueCount}: last delivery; " +
                     $"if it fails now the host moves it to {TriggerNames.WorkPoisonQueue}");
        }

        WorkOutcome outcome;
        try
        {
            outcome = await processor.ProcessAsync(message, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            logger.LogError(e, "Work message {MessageId} failed on delivery {DequeueCount}", message.QueueMessageId, message.DequeueCount);
            var next = lastDelivery
                ? $"This was delivery {message.DequeueCount} (maxDequeueCount {options.MaxDequeueCount}): the host now moves it to {TriggerNames.WorkPoisonQueue}."
                : $"The host redelivers it after the visibility timeout (delivery {message.DequeueCount} of {options.MaxDequeueCount}).";
            return Results.Problem(
                title: "Retryable fault while processing a work message",
                detail: $"The work processor threw {e.GetType().Name}: {e.Message}. {next}",
                statusCode: StatusCodes.Status500InternalServerError);
        }

        logs.Add(outcome == WorkOutcome.DeadLettered
            ? "work: dead-lettered by the runtime (can never succeed); acknowledged so the queue does not retry it"
            : $"work: {outcome.ToString().ToLowerInvariant()}");
        logger.LogInformation("Work message {MessageId} delivery {DequeueCount}: {Outcome}", message.QueueMessageId, message.DequeueCount, outcome);
        return HandlerResponse.Ok(logs);
    }

    private static async Task<ParsedBody> ReadJsonAsync(HttpContext http, CancellationToken ct)
    {
        try
        {
            return new ParsedBody(await JsonDocument.ParseAsync(http.Request.Body, default, ct), null);
        }
        catch (JsonException e)
        {
            return new ParsedBody(null, Results.Problem(
                title: "Malformed Functions host payload",
                detail: $"The body is not JSON ({e.Message}). The Functions host POSTs {{\"Data\":{{...}},\"Metadata\":{{...}}}} as application/json.",
                statusCode: StatusCodes.Status400BadRequest));
        }
    }

    /// <summary>
    /// The catch-all <c>api</c> function forwards every outside request at its original path, so <c>POST /work</c> from
    /// the internet would reach this endpoint. The host's own trigger calls go to <c>http://127.0.0.1:{port}/work</c>
    /// with nothing but its headers; a forwarded request keeps the caller's headers (the host copies them all),
    /// including the public <c>Host</c> and the front end's <c>X-ARR-LOG-ID</c>/<c>X-Forwarded-For</c>. Those are refused.
    /// </summary>
    internal static class HostOnly
    {
        private static readonly string[] FrontEndHeaders =
            ["X-ARR-LOG-ID", "X-Forwarded-For", "X-Forwarded-Host", "X-Original-URL", "X-WAWS-Unencoded-URL", "DISGUISED-HOST", "Forwarded"];

        public static IResult? Refusal(HttpRequest request)
        {
            var host = request.Host.Host;
            var loopback = string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) ||
                           (System.Net.IPAddress.TryParse(host, out var ip) && System.Net.IPAddress.IsLoopback(ip));
            var forwardedBy = FrontEndHeaders.FirstOrDefault(h => request.Headers.ContainsKey(h));
            if (loopback && forwardedBy is null)
            {
                return null;
            }

            return Results.Problem(
                title: "Only the Functions host may call this endpoint",
                detail: $"{request.Method} {request.Path} is how the Functions host invokes the '{request.Path.Value?.Trim('/')}' trigger over loopback. " +
                        $"This request came from outside ({(loopback ? $"header {forwardedBy}" : $"Host '{request.Host}'")}) through the forwarded api function and was not processed.",
                statusCode: StatusCodes.Status403Forbidden);
        }
    }

    private static IResult Malformed(HostPayloadException e, string function) =>
        Results.Problem(
            title: "Malformed Functions host payload",
            detail: $"{e.Message} Nothing was processed (function '{function}').",
            statusCode: StatusCodes.Status400BadRequest);

    private static IResult NotWired(string service) =>
        Results.Problem(
            title: "Runtime not registered",
            detail: $"No {service} is registered in DI: the handler must call AddSupervisionRuntime() (Supervision.Runtime). " +
                    "Nothing was processed; the host retries the invocation.",
            statusCode: StatusCodes.Status503ServiceUnavailable);

    private readonly record struct ParsedBody(JsonDocument? Value, IResult? Error) : IDisposable
    {
        public void Dispose() => Value?.Dispose();
    }
}
