using System.Text.Json;
using Supervision.Domain.Orchestration;

namespace Supervision.Domain.Alerts;

/// <summary>The JSON contract of alert and digest commands, events and state (same rules as <c>CaseJson</c>).</summary>
public static class AlertJson
{
    public static JsonSerializerOptions Options { get; } = DomainJson.Create();
}
