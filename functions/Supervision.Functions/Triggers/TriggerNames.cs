namespace Supervision.Functions.Triggers;

/// <summary>
/// Names shared by the function folders (<c>functions/*/function.json</c>), the endpoints the Functions host calls
/// and the infrastructure. A deployment-layout test checks that the JSON files agree with these constants.
/// </summary>
public static class TriggerNames
{
    /// <summary>Timer-triggered function; the host POSTs to <c>/sweep</c>.</summary>
    public const string SweepFunction = "sweep";

    /// <summary>Queue-triggered function; the host POSTs to <c>/work</c>.</summary>
    public const string WorkFunction = "work";

    /// <summary>Catch-all HTTP function, forwarded to the handler at the original path.</summary>
    public const string ApiFunction = "api";

    /// <summary>Binding name of the timer trigger in <c>sweep/function.json</c>: the key under <c>Data</c>.</summary>
    public const string TimerBinding = "timer";

    /// <summary>Binding name of the queue trigger in <c>work/function.json</c>: the key under <c>Data</c>.</summary>
    public const string MessageBinding = "msg";

    /// <summary>Binding name of the HTTP trigger in <c>api/function.json</c>.</summary>
    public const string RequestBinding = "req";

    /// <summary>
    /// The work queue the <c>work</c> function listens on. Fixed in function.json (not an app setting), so the runtime
    /// must enqueue to exactly this name, Base64-encoded (host.json <c>messageEncoding: base64</c>).
    /// </summary>
    public const string WorkQueue = "work-items";

    /// <summary>Where the host moves a message after <c>maxDequeueCount</c> failed deliveries.</summary>
    public const string WorkPoisonQueue = WorkQueue + "-poison";
}
