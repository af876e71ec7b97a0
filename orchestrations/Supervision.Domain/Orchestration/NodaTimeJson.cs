using System.Text.Json;
using System.Text.Json.Serialization;
using NodaTime;
using NodaTime.Text;

namespace Supervision.Domain.Orchestration;

/// <summary>
/// The one place NodaTime values meet JSON (stored events, snapshots, queue envelopes, the API), so every layer reads and
/// writes instants and dates the same way.
/// </summary>
public static class NodaTimeJson
{
    /// <summary>
    /// <see cref="Instant"/> ⇄ <c>2025-09-10T02:00:00Z</c> (fractional seconds only when present). Reading also accepts
    /// an explicit offset (<c>2025-09-10T10:00:00+08:00</c>), as API clients in China naturally send; writing is always UTC.
    /// </summary>
    public sealed class InstantConverter : JsonConverter<Instant>
    {
        private static readonly OffsetDateTimePattern WithOffset = OffsetDateTimePattern.ExtendedIso;

        public override Instant Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var text = reader.GetString() ?? throw new JsonException("an instant must be a string");
            var utc = InstantPattern.ExtendedIso.Parse(text);
            if (utc.Success)
            {
                return utc.Value;
            }

            var offset = WithOffset.Parse(text);
            return offset.Success
                ? offset.Value.ToInstant()
                : throw new JsonException($"'{text}' is not an ISO-8601 instant (e.g. 2025-09-10T02:00:00Z or 2025-09-10T10:00:00+08:00)");
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
