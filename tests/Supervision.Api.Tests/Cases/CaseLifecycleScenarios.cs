using System.Net;
using System.Net.Http.Json;

namespace Supervision.Api.Tests.Cases;

/// <summary>
/// End-to-end paths of a case through the HTTP API, on Azurite, with the virtual clock driving every legal timer.
/// Demo org: the city petition bureau (c-bureau) registers and routes; the city housing bureau (c-housing) handles; the
/// city government (c-gov) reviews; the province government (p-gov) re-examines.
/// </summary>
public sealed class CaseLifecycleScenarios
{
    // Wednesday 2025-09-10, 09:00 Beijing time.
    private static readonly DateTimeOffset Start = new(2025, 9, 10, 1, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task On_time_handling_ends_with_a_reply_and_no_overdue()
    {
        await using var app = await CaseApp.StartAsync(Start);
        var registrar = app.As("c-registrar");
        var officer = app.As("c-housing-officer");

        var (id, _) = await registrar.RegisterAsync(Start);
        await registrar.Command(id, "route", new { kind = "Forward", agencyId = "c-housing" }).OkAsync();
        var accepted = await officer.Command(id, "accept", new { }).OkAsync();
        Assert.Equal("2025-11-10", (string)accepted.Clock("handling")["dueDate"]!); // 60日 from 09-10; raw 11-09 is a Sunday

        await app.AdvanceAsync(TimeSpan.FromDays(20), TimeSpan.FromDays(1));
        var replied = await officer.Command(id, "reply", new { outcome = "Support", opinionFile = "opinions/a.pdf" }).OkAsync();

        Assert.Equal("Replied", (string)replied["status"]!);
        Assert.Equal("Stopped", (string)replied.Clock("handling")["status"]!);
        Assert.DoesNotContain("ClockOverdue", replied.EventTypes());

        // The handling clock's wake-ups are gone: nothing more fires for it even after its old due date.
        await app.AdvanceAsync(TimeSpan.FromDays(45), TimeSpan.FromDays(3));
        var later = await officer.GetAsync(new Uri($"/api/cases/{id}", UriKind.Relative)).OkAsync();
        Assert.DoesNotContain(later["timeline"]!.AsArray(), e => (string)e!["type"]! == "ClockOverdue" && (string)e["data"]!["name"]! == "handling");
    }

    [Fact]
    public async Task Extension_moves_the_due_date_once_and_a_second_extension_is_refused()
    {
        await using var app = await CaseApp.StartAsync(Start);
        var registrar = app.As("c-registrar");
        var officer = app.As("c-housing-officer");
        var head = app.As("c-housing-head");
        var (id, _) = await registrar.RegisterAsync(Start);
        await registrar.Command(id, "route", new { kind = "Forward", agencyId = "c-housing" }).OkAsync();
        await officer.Command(id, "accept").OkAsync();

        // Only the agency head approves an extension (Art. 34).
        var byOfficer = await officer.Command(id, "approve-extension", new { days = 30, reason = "情况复杂", petitionerToldOn = "2025-09-10" });
        Assert.Equal(HttpStatusCode.Forbidden, byOfficer.StatusCode);
        Assert.Equal("application/problem+json", byOfficer.Content.Headers.ContentType?.MediaType);

        var extended = await head.Command(id, "approve-extension", new { days = 30, reason = "情况复杂", petitionerToldOn = "2025-09-10" }).OkAsync();
        var handling = extended.Clock("handling");
        Assert.Equal("2025-12-09", (string)handling["dueDate"]!); // 60 + 30 days from 09-10
        Assert.Contains(handling["explanation"]!.AsArray(), l => ((string)l!).Contains("情况复杂", StringComparison.Ordinal));

        var again = await head.Command(id, "approve-extension", new { days = 10, reason = "再次延长", petitionerToldOn = "2025-09-11" });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);

        // The old generation's due date passes without an overdue: the rescheduled timer is the only live one.
        await app.AdvanceAsync(TimeSpan.FromDays(62), TimeSpan.FromDays(2));
        var detail = await officer.GetAsync(new Uri($"/api/cases/{id}", UriKind.Relative)).OkAsync();
        Assert.DoesNotContain("ClockOverdue", detail.EventTypes());
    }

    [Fact]
    public async Task Objection_upheld_returns_the_case_for_re_routing_to_another_agency()
    {
        await using var app = await CaseApp.StartAsync(Start);
        var registrar = app.As("c-registrar");
        var housing = app.As("c-housing-officer");
        var (id, _) = await registrar.RegisterAsync(Start);
        await registrar.Command(id, "route", new { kind = "Forward", agencyId = "c-housing" }).OkAsync();

        var objected = await housing.Command(id, "object", new { reason = "属于社保待遇事项，不属于本机关职权" }).OkAsync();
        Assert.Equal("ObjectionPending", (string)objected["status"]!);

        // Materials go back only after the bureau verifies and agrees (Art. 23).
        var upheld = await registrar.Command(id, "decide-objection", new { upheld = true, reason = "核实属实" }).OkAsync();
        Assert.Equal("Registered", (string)upheld["status"]!);

        await registrar.Command(id, "route", new { kind = "Forward", agencyId = "c-hrss" }).OkAsync();
        var accepted = await app.As("c-hrss-officer").Command(id, "accept").OkAsync();
        Assert.Equal("Accepted", (string)accepted["status"]!);
        Assert.Equal("c-hrss", (string)accepted["handlingUnit"]!["id"]!);

        // The first agency no longer acts on it.
        var late = await housing.Command(id, "reply", new { outcome = "Explain", opinionFile = "x.pdf" });
        Assert.True(late.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden or HttpStatusCode.Conflict, late.StatusCode.ToString());
    }

    [Fact]
    public async Task Referral_to_a_legal_channel_ends_the_petition_track()
    {
        await using var app = await CaseApp.StartAsync(Start);
        var registrar = app.As("c-registrar");
        var (id, _) = await registrar.RegisterAsync(Start);

        var referred = await registrar.Command(id, "refer-out", new { channel = "Litigation", reason = "已进入诉讼程序" }).OkAsync();

        Assert.Equal("ReferredOut", (string)referred["status"]!);
        Assert.DoesNotContain(referred["clocks"]!.AsArray(), c => (string)c!["status"]! == "Running");
        var route = await registrar.Command(id, "route", new { kind = "Forward", agencyId = "c-housing" });
        Assert.Equal(HttpStatusCode.Conflict, route.StatusCode);
        Assert.Equal("application/problem+json", route.Content.Headers.ContentType?.MediaType);

        // No clock of the petition track fires afterwards.
        await app.AdvanceAsync(TimeSpan.FromDays(20), TimeSpan.FromDays(2));
        var detail = await registrar.GetAsync(new Uri($"/api/cases/{id}", UriKind.Relative)).OkAsync();
        Assert.DoesNotContain("ClockOverdue", detail.EventTypes());
    }
}
