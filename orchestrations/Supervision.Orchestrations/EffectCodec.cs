using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Supervision.Domain.Orchestration;

namespace Supervision.Orchestrations;

/// <summary>One typed read-model value as carried by an upsert effect.</summary>
public sealed record TypedValue(string T, string? V);

public sealed record SendData(string TargetType, string TargetInstanceId, JsonElement Command);

public sealed record UpsertData(string Model, string PartitionKey, string RowKey, long Version, Dictionary<string, TypedValue> Values);

public sealed record DeleteData(string Model, string PartitionKey, string RowKey, long Version);

public sealed record CountersData(string Model, string PartitionKey, string MarkerRowKey, Dictionary<string, Dictionary<string, long>> Counters, CounterMirror? Mirror);

/// <summary>
/// Encodes effects as (<c>Kind</c> = send | alert | upsert | delete, <c>Data</c> = JSON) for the decision record
/// at decision time, and decodes them at dispatch time. Commands sent to other instances are serialized with the
/// target decider's own JSON options, so the receiving side reads exactly what it would read from the API edge.
/// </summary>
public sealed class EffectCodec(OrchestrationRegistry registry)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        // Alerts carry their deadline (LocalDate, Instant) so the words are rendered at delivery: NodaTime needs its converters.
        Converters = { new JsonStringEnumConverter(), new NodaTimeJson.InstantConverter(), new NodaTimeJson.LocalDateConverter(), new NodaTimeJson.DurationConverter() },
    };

    public (string Kind, string Data) Encode(Effect effect) => effect switch
    {
        SendMessage s => (EffectKinds.Send, JsonSerializer.Serialize(
            new SendData(s.TargetType, s.TargetInstanceId, JsonDocument.Parse(registry.Get(s.TargetType).SerializeCommand(s.Command)).RootElement), Json)),
        RaiseAlert a => (EffectKinds.Alert, JsonSerializer.Serialize(a.Alert, Json)),
        UpsertReadModel u => (EffectKinds.Upsert, JsonSerializer.Serialize(
            new UpsertData(u.Model, u.PartitionKey, u.RowKey, u.Version, u.Values.ToDictionary(kv => kv.Key, kv => ToTyped(kv.Value), StringComparer.Ordinal)), Json)),
        DeleteReadModel d => (EffectKinds.Delete, JsonSerializer.Serialize(new DeleteData(d.Model, d.PartitionKey, d.RowKey, d.Version), Json)),
        BumpCounters c => (EffectKinds.Counters, JsonSerializer.Serialize(new CountersData(
            c.Model, c.PartitionKey, c.MarkerRowKey, c.Counters.ToDictionary(r => r.Key, r => r.Value.ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal), StringComparer.Ordinal), c.Mirror), Json)),
        _ => throw new NotSupportedException($"Effect {effect.GetType().Name} is not supported by the runtime."),
    };

    public static SendData DecodeSend(string data) => Decode<SendData>(data);

    public static UpsertData DecodeUpsert(string data) => Decode<UpsertData>(data);

    public static DeleteData DecodeDelete(string data) => Decode<DeleteData>(data);

    public static CountersData DecodeCounters(string data) => Decode<CountersData>(data);

    public static Alert DecodeAlert(string data) => Decode<Alert>(data);

    internal static T Decode<T>(string data) => JsonSerializer.Deserialize<T>(data, Json) ?? throw new JsonException("empty effect data");

    internal static TypedValue ToTyped(object? value) => value switch
    {
        null => new("n", null),
        string s => new("s", s),
        bool b => new("b", b ? "true" : "false"),
        int i => new("i", i.ToString(CultureInfo.InvariantCulture)),
        long l => new("l", l.ToString(CultureInfo.InvariantCulture)),
        double d => new("d", d.ToString("R", CultureInfo.InvariantCulture)),
        DateTimeOffset t => new("t", t.ToString("O", CultureInfo.InvariantCulture)),
        DateTime t => new("t", new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)).ToString("O", CultureInfo.InvariantCulture)),
        _ => throw new NotSupportedException($"Read-model values must be primitive; got {value.GetType().Name}."),
    };

    public static object? FromTyped(TypedValue v) => v.T switch
    {
        "n" => null,
        "s" => v.V,
        "b" => v.V == "true",
        "i" => int.Parse(v.V!, CultureInfo.InvariantCulture),
        "l" => long.Parse(v.V!, CultureInfo.InvariantCulture),
        "d" => double.Parse(v.V!, CultureInfo.InvariantCulture),
        "t" => DateTimeOffset.Parse(v.V!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
        _ => throw new NotSupportedException($"Unknown read-model value type '{v.T}'."),
    };
}
