using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Supervision.Api.Tests.Cases;

namespace Supervision.Api.Tests.Oversight;

/// <summary>HTTP helpers for the supervision scenarios (tickets, joint assignments, inboxes, mailbox).</summary>
public static class OversightApi
{
    public static readonly TimeSpan Beijing = TimeSpan.FromHours(8);

    public static Task<JsonNode> GetJsonAsync(this HttpClient client, string path) => client.GetAsync(new Uri(path, UriKind.Relative)).OkAsync();

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string path, object? body = null) =>
        client.PostAsJsonAsync(new Uri(path, UriKind.Relative), body ?? new { });

    public static DateTimeOffset Instant(JsonNode? value) => DateTimeOffset.Parse((string)value!, CultureInfo.InvariantCulture);

    public static IEnumerable<JsonNode> Timeline(this JsonNode detail, string type) =>
        detail["timeline"]!.AsArray().Where(e => (string)e!["type"]! == type).Select(e => e!);

    public static IEnumerable<string> Ids(this JsonNode? list) => list!.AsArray().Select(i => (string)i!["id"]!);

    /// <summary>The kinds of the alerts about <paramref name="link"/> in a person's mailbox.</summary>
    public static async Task<HashSet<string>> AlertKindsAsync(this CaseApp app, string person, string link)
    {
        var mailbox = await app.As(person).GetJsonAsync("/api/mailbox");
        return mailbox.AsArray().Where(m => (string?)m!["link"] == link).Select(m => (string)m!["kind"]!).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Waits until <paramref name="person"/>'s mailbox holds an alert of <paramref name="kind"/> about <paramref name="link"/>.</summary>
    public static Task<JsonNode> AlertAsync(this CaseApp app, string person, string link, string kind) =>
        CaseApp.EventuallyAsync<JsonNode>(async () =>
        {
            var mailbox = await app.As(person).GetJsonAsync("/api/mailbox");
            return mailbox.AsArray().FirstOrDefault(m => (string?)m!["link"] == link && (string)m!["kind"]! == kind);
        }, $"a {kind} alert about {link} in {person}'s mailbox");

    /// <summary>A ticket detail (as <paramref name="person"/>) once <paramref name="until"/> holds.</summary>
    public static Task<JsonNode> TicketWhenAsync(this CaseApp app, string person, string id, Func<JsonNode, bool> until, string what, TimeSpan? timeout = null)
    {
        var client = app.As(person);
        return CaseApp.EventuallyAsync<JsonNode>(async () =>
        {
            var response = await client.GetAsync(new Uri($"/api/tickets/{id}", UriKind.Relative));
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            var detail = await response.JsonAsync();
            return until(detail) ? detail : null;
        }, what, timeout);
    }

    public static string LegalDate(DateTimeOffset at) => at.ToOffset(Beijing).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string Month(DateTimeOffset at) => at.ToOffset(Beijing).ToString("yyyy-MM", CultureInfo.InvariantCulture);
}
