using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Unicode;
using NodaTime;
using NodaTime.Text;

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
        o.Converters.Add(new InstantConverter());
        o.Converters.Add(new LocalDateConverter());
        o.Converters.Add(new DurationConverter());
        o.Converters.Add(new JsonStringEnumConverter());
        o.MakeReadOnly(populateMissingResolver: true);
        return o;
    }

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException($"null {typeof(T).Name}");

    /// <summary><see cref="Instant"/> ⇄ <c>2025-09-10T02:00:00Z</c> (fractional seconds only when present).</summary>
    public sealed class InstantConverter : JsonConverter<Instant>
    {
        public override Instant Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var text = reader.GetString() ?? throw new JsonException("an instant must be a string");
            var result = InstantPattern.ExtendedIso.Parse(text);
            return result.Success ? result.Value : throw new JsonException($"'{text}' is not an ISO-8601 UTC instant");
        }

        public override void Write(Utf8JsonWriter writer, Instant value, JsonSerializerOptions options) =>
            writer.WriteStringValue(InstantPattern.ExtendedIso.Format(value));
    }

    /// <summary><see cref="LocalDate"/> ⇄ <c>2025-09-10</c>.</summary>
    public sealed class LocalDateConverter : JsonConverter<LocalDate>
    {
        public override LocalDate Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var text = reader.GetString() ?? throw new JsonException("a date must be a string");
            var result = LocalDatePattern.Iso.Parse(text);
            return result.Success ? result.Value : throw new JsonException($"'{text}' is not an ISO-8601 date");
        }

        public override void Write(Utf8JsonWriter writer, LocalDate value, JsonSerializerOptions options) =>
            writer.WriteStringValue(LocalDatePattern.Iso.Format(value));
    }

    /// <summary><see cref="Duration"/> ⇄ <c>5:14:00:00</c> (days:hours:minutes:seconds, negative when overdue).</summary>
    public sealed class DurationConverter : JsonConverter<Duration>
    {
        public override Duration Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var text = reader.GetString() ?? throw new JsonException("a duration must be a string");
            var result = DurationPattern.Roundtrip.Parse(text);
            return result.Success ? result.Value : throw new JsonException($"'{text}' is not a duration");
        }

        public override void Write(Utf8JsonWriter writer, Duration value, JsonSerializerOptions options) =>
            writer.WriteStringValue(DurationPattern.Roundtrip.Format(value));
    }
}
