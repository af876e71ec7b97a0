using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Unicode;

namespace Supervision.Domain.Orchestration;

/// <summary>
/// The JSON settings every orchestration's stored contract uses (the same as <c>CaseJson</c>): web casing, <c>$type</c>
/// discriminators that may come in any order, nulls omitted, readable Chinese, NodaTime as ISO strings, enums by name.
/// </summary>
public static class DomainJson
{
    public static JsonSerializerOptions Create()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            AllowOutOfOrderMetadataProperties = true,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
        };
        o.Converters.Add(new NodaTimeJson.InstantConverter());
        o.Converters.Add(new NodaTimeJson.LocalDateConverter());
        o.Converters.Add(new NodaTimeJson.DurationConverter());
        o.Converters.Add(new JsonStringEnumConverter());
        o.MakeReadOnly(populateMissingResolver: true);
        return o;
    }
}
