using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Unicode;
using NodaTime;
using Supervision.Domain.Orchestration;

namespace Supervision.Domain.Cases;

/// <summary>
/// The JSON contract of case commands, events and state. Stored events are a contract with every open case:
/// discriminators (<c>$type</c>), property names and enum names never change; new fields are added as optional.
/// NodaTime values are written as strings (<see cref="Instant"/> ISO-8601 in UTC with <c>Z</c>, <see cref="LocalDate"/>
/// as <c>uuuu-MM-dd</c>, <see cref="Duration"/> as NodaTime's round-trip <c>-D:hh:mm:ss.FFFFFFFFF</c>) by converters
/// written here, so the domain needs no extra package.
/// </summary>
public static class CaseJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            // Stored documents may have been written by other tools that do not put "$type" first.
            AllowOutOfOrderMetadataProperties = true,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,

            // Chinese text stays readable in stored events and golden files; HTML-sensitive characters are still escaped.
            Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
        };
        o.Converters.Add(new NodaTimeJson.InstantConverter());
        o.Converters.Add(new NodaTimeJson.LocalDateConverter());
        o.Converters.Add(new NodaTimeJson.DurationConverter());
        o.Converters.Add(new JsonStringEnumConverter());
        o.MakeReadOnly(populateMissingResolver: true);
        return o;
    }

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException($"null {typeof(T).Name}");
}
