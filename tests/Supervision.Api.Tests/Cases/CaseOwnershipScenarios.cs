using System.Net;
using System.Text.Json.Nodes;

namespace Supervision.Api.Tests.Cases;

/// <summary>
/// 领导包案 through the API on the accelerated clock (decisions O1–O3): the city leader takes a county case, the case and
/// its list rows name them, a second leader is refused 409 naming the owner, the accused unit cannot reach an accusation,
/// and the owner's mailbox gets the overdue alert that, without ownership, goes only to the county's leader.
/// </summary>
public sealed class CaseOwnershipScenarios
{
    private static readonly DateTimeOffset Start = new(2025, 9, 10, 1, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_leader_takes_a_case_is_named_on_it_and_is_alerted_when_a_step_is_overdue()
    {
        await using var app = await CaseApp.StartAsync(Start, speed: 86_400);
        var registrar = app.As("ca-registrar");
        var leader = app.As("c-leader");
        var (id, _) = await registrar.RegisterAsync(app.Now, unit: "ca-bureau", matter: "owner:lift");
        var due = Legal.DateOf(app.Now).PlusDays(8).ToString("uuuu-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await registrar.Command(id, "route", new { kind = "Assign", agencyId = "ca-housing", assignedDueDate = due }).OkAsync();
        await app.As("ca-housing-officer").Command(id, "accept").OkAsync();

        var owned = await leader.Command(id, "take-ownership", new { reason = "领导接访后包案" }).OkAsync();
        Assert.Equal(("c-leader", "郑国栋", "c-gov"), ((string)owned["owner"]!["id"]!, (string)owned["owner"]!["name"]!, (string)owned["owner"]!["unit"]!["id"]!));
        var taken = owned.Event("OwnershipTaken");
        Assert.Equal(("郑国栋", "c-leader"), ((string)taken["data"]!["leaderName"]!, (string)taken["actor"]!));

        // The agency sees the owner too; a second leader is refused with a reason that names the owner.
        var seen = await app.As("ca-housing-head").GetAsync(new Uri($"/api/cases/{id}", UriKind.Relative)).OkAsync();
        Assert.Equal("郑国栋", (string)seen["owner"]!["name"]!);
        var second = await app.As("ca-leader").Command(id, "take-ownership", new { reason = "我来包案" });
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal("application/problem+json", second.Content.Headers.ContentType?.MediaType);
        Assert.Contains("郑国栋", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // A body without a reason is a 400 naming the field; the same leader again is a no-op 200.
        var bad = await leader.Command(id, "take-ownership", new { });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("reason", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await leader.Command(id, "take-ownership", new { reason = "领导接访后包案" }).OkAsync();

        // The leader's own list: owned cases only; another leader's list does not have it.
        var mine = await leader.GetAsync(new Uri("/api/cases?ownedByMe=true", UriKind.Relative)).OkAsync();
        Assert.Equal([id], mine["items"]!.AsArray().Select(i => (string)i!["id"]!));
        Assert.Equal("c-leader", (string)mine["items"]![0]!["owner"]!);
        var theirs = await app.As("ca-leader").GetAsync(new Uri("/api/cases?ownedByMe=true", UriKind.Relative)).OkAsync();
        Assert.Empty(theirs["items"]!.AsArray());

        // The 交办 deadline passes: the owner is alerted as a person (the city leader is not the county's leader).
        static bool OverdueFor(JsonNode m, string id) => m.AsArray().Any(x => (string)x!["kind"]! == "deadline.overdue"
            && (string)x["role"]! == "person" && ((string?)x["link"] ?? string.Empty).Contains(id, StringComparison.Ordinal));
        var mailbox = await CaseApp.EventuallyAsync<JsonNode>(async () =>
        {
            var m = await leader.GetAsync(new Uri("/api/mailbox", UriKind.Relative)).OkAsync();
            return OverdueFor(m, id) ? m : null;
        }, "the overdue alert in the owning leader's mailbox");
        Assert.True(OverdueFor(mailbox, id));
    }

    [Fact]
    public async Task The_accused_unit_cannot_reach_an_accusation_to_own_it_and_a_closed_case_cannot_be_owned()
    {
        await using var app = await CaseApp.StartAsync(Start, speed: 1);
        var registrar = app.As("ca-registrar");
        var (accusation, _) = await registrar.RegisterAsync(app.Now, matter: "owner:accusation", category: "Accusation", unit: "ca-bureau", accusedUnit: "ca-gov");

        // ca-leader leads the accused county government: the case does not exist for them (404, as for any hidden case).
        var hidden = await app.As("ca-leader").Command(accusation, "take-ownership", new { reason = "包案" });
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        var list = await app.As("ca-leader").GetAsync(new Uri("/api/cases?ownedByMe=false", UriKind.Relative)).OkAsync();
        Assert.DoesNotContain(list["items"]!.AsArray(), i => (string)i!["id"]! == accusation);

        // The city leader may; a registrar may not (403: not a leader).
        var registrarTry = await registrar.Command(accusation, "take-ownership", new { reason = "包案" });
        Assert.Equal(HttpStatusCode.Forbidden, registrarTry.StatusCode);
        await app.As("c-leader").Command(accusation, "take-ownership", new { reason = "包案" }).OkAsync();

        // A case referred out of the petition track is not open: 409 with the table's reason.
        var (other, _) = await registrar.RegisterAsync(app.Now, matter: "owner:referred", unit: "ca-bureau");
        await registrar.Command(other, "refer-out", new { channel = "Litigation", reason = "已起诉" }).OkAsync();
        var closed = await app.As("c-leader").Command(other, "take-ownership", new { reason = "包案" });
        Assert.Equal(HttpStatusCode.Conflict, closed.StatusCode);
        Assert.Contains("petition track", await closed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
