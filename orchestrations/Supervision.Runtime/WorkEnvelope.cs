using System.Text.Json;
using System.Text.Json.Serialization;
using NodaTime;

namespace Supervision.Runtime;

/// <summary>What a work message asks for.</summary>
public enum MessageKind
{
    /// <summary>A command for the instance (from the API edge or another instance's <c>SendMessage</c> effect).</summary>
    Command,

    /// <summary>A due wake-up of one timer (key, generation).</summary>
    Timer,

    /// <summary>The safety-net wake-up: dispatch whatever outbox rows the instance still holds.</summary>
    OutboxRetry,
}

/// <summary>
/// The JSON body of a work-queue message (format version 1), e.g.
/// <c>{"v":1,"kind":"timer","type":"case","instanceId":"XF-1","messageId":"timer:due:2","timerKey":"due","generation":2,"dueAt":"…"}</c>.
/// Commands carry <c>payload</c> (the command JSON of the target decider) and <c>actor</c>.
/// </summary>
public sealed record WorkEnvelope
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower), new Supervision.Domain.Orchestration.NodaTimeJson.InstantConverter() },
    };

    [JsonPropertyName("v")]
    public int Version { get; init; } = 1;

    public required MessageKind Kind { get; init; }

    public required string Type { get; init; }

    public required string InstanceId { get; init; }

    public required string MessageId { get; init; }

    public string? Actor { get; init; }

    public JsonElement? Payload { get; init; }

    public string? TimerKey { get; init; }

    public int? Generation { get; init; }

    public Instant? DueAt { get; init; }

    public static WorkEnvelope Parse(string body)
    {
        var e = JsonSerializer.Deserialize<WorkEnvelope>(body, Json) ?? throw new JsonException("empty work message");
        if (e.Version != 1)
        {
            throw new JsonException($"unsupported work message version {e.Version}");
        }

        if (e.Kind == MessageKind.Timer && (e.TimerKey is null || e.Generation is null))
        {
            throw new JsonException("timer message without timerKey/generation");
        }

        if (e.Kind == MessageKind.Command && e.Payload is null)
        {
            throw new JsonException("command message without payload");
        }

        return e;
    }

    public static WorkEnvelope ForCommand(string type, string instanceId, string messageId, string actor, string commandJson) => new()
    {
        Kind = MessageKind.Command,
        Type = type,
        InstanceId = instanceId,
        MessageId = messageId,
        Actor = actor,
        Payload = JsonDocument.Parse(commandJson).RootElement.Clone(),
    };

    public static string TimerMessageId(string key, int generation) => $"timer:{key}:{generation}";

    public string ToJson() => JsonSerializer.Serialize(this, Json);
}
