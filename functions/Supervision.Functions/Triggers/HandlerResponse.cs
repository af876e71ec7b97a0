using System.Text.Json;
using System.Text.Json.Serialization;

namespace Supervision.Functions.Triggers;

/// <summary>
/// The answer the Functions host expects from a custom handler (PLATFORM.md §1.3): 2xx, <c>application/json</c>,
/// <c>{"Outputs":{...},"Logs":[...],"ReturnValue":...}</c>. Our trigger functions have no output bindings, so
/// <c>Outputs</c> is always empty — which also keeps clear of the host's rule that a base64-looking string output is
/// decoded to bytes.
/// </summary>
public sealed record HandlerResponse(
    [property: JsonPropertyName("Outputs")] IReadOnlyDictionary<string, object> Outputs,
    [property: JsonPropertyName("Logs")] IReadOnlyList<string> Logs,
    [property: JsonPropertyName("ReturnValue")] object? ReturnValue)
{
    /// <summary>Keeps property names exactly as declared and writes nulls (the host reads <c>ReturnValue: null</c>).</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static IResult Ok(IReadOnlyList<string> logs) =>
        Results.Json(new HandlerResponse(new Dictionary<string, object>(), logs, null), Json, "application/json", StatusCodes.Status200OK);
}
