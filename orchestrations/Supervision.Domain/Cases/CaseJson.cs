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
    /// <summary>Nesting limit of every case document (the deepest stored shape is about 6 levels).</summary>
    public const int MaxDepth = 32;

    /// <summary>
    /// Stored events, snapshots and API output. Strict where stored data can never differ: duplicate properties and
    /// numeric enum values are refused (a <see cref="JsonException"/>), nesting is capped at <see cref="MaxDepth"/>.
    /// Missing optional fields still load, so old events keep folding.
    /// </summary>
    public static JsonSerializerOptions Options { get; } = Create(strict: false);

    /// <summary>
    /// Request bodies (commands from the edge): <see cref="Options"/> plus required constructor parameters and nullable
    /// annotations, so a missing <c>channel</c> or a null <c>petitioner</c> throws <see cref="JsonException"/> (→ 400)
    /// instead of defaulting or surfacing later as a NullReferenceException. Prefer <see cref="CaseCommandReader.Read"/>,
    /// which reports each problem with its field path.
    /// </summary>
    public static JsonSerializerOptions Commands { get; } = Create(strict: true);

    private static JsonSerializerOptions Create(bool strict)
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            // Stored documents may have been written by other tools that do not put "$type" first.
            AllowOutOfOrderMetadataProperties = true,
            AllowDuplicateProperties = false,
            MaxDepth = MaxDepth,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            RespectRequiredConstructorParameters = strict,
            RespectNullableAnnotations = strict,

            // Chinese text stays readable in stored events and golden files; HTML-sensitive characters are still escaped.
            Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
        };
        o.Converters.Add(new NodaTimeJson.InstantConverter());
        o.Converters.Add(new NodaTimeJson.LocalDateConverter());
        o.Converters.Add(new NodaTimeJson.DurationConverter());
        o.Converters.Add(new JsonStringEnumConverter(namingPolicy: null, allowIntegerValues: false));
        o.MakeReadOnly(populateMissingResolver: true);
        return o;
    }

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException($"null {typeof(T).Name}");
}
