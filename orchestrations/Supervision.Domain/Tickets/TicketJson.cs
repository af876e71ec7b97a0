using System.Text.Json;
using Supervision.Domain.Orchestration;

namespace Supervision.Domain.Tickets;

/// <summary>The JSON contract of ticket commands, events and state (same rules as <c>CaseJson</c>).</summary>
public static class TicketJson
{
    public static JsonSerializerOptions Options { get; } = DomainJson.Create();

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException($"null {typeof(T).Name}");
}
