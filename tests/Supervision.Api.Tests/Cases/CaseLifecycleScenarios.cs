using System.Net;
using System.Text.Json.Nodes;
using NodaTime;
using Supervision.Domain.Calendar;

namespace Supervision.Api.Tests.Cases;

/// <summary>
/// End-to-end paths of a case through the HTTP API on the standalone host: Durable Task on Azurite, with the accelerated
/// legal clock driving every timer. Demo org: the city petition bureau (c-bureau) registers and routes; the city housing
/// bureau (c-housing) handles; the city government (c-gov) reviews; the province government (p-gov) re-examines.
/// Due dates are checked against the legal calendar from the recorded trigger dates, since commands are recorded at
/// the legal instant the API received them.
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

        var (id, _) = await registrar.RegisterAsync(app.Now);
        await registrar.Command(id, "route", new { kind = "Forward", agencyId = "c-housing" }).OkAsync();
        var accepted = await officer.Command(id, "accept", new { }).OkAsync();
        var acceptedOn = accepted.Event("CaseAccepted")["data"]!["acceptedOn"]!.GetValue<string>();
        Assert.Equal(Legal.Due(acceptedOn, 60), (string)accepted.Clock("handling")["dueDate"]!); // 60日 (Art. 34)

        // A witness accepted just after, and never answered: its handling clock is due no earlier than the case's.
        var (witness, _) = await registrar.RegisterAsync(app.Now, matter: "lifecycle:witness", petitioner: "李四");
        await registrar.Command(witness, "route", new { kind = "Forward", agencyId = "c-housing" }).OkAsync();
        var witnessAccepted = await officer.Command(witness, "accept", new { }).OkAsync();
        Assert.True(string.CompareOrdinal((string)witnessAccepted.Clock("handling")["dueDate"]!, (string)accepted.Clock("handling")["dueDate"]!) >= 0);

        await app.AdvanceAsync(TimeSpan.FromDays(20));
        var replied = await officer.Command(id, "reply", new { outcome = "Support", opinionFile = "opinions/a.pdf" }).OkAsync();

        Assert.Equal("Replied", (string)replied["status"]!);
        Assert.Equal("Stopped", (string)replied.Clock("handling")["status"]!);
        Assert.DoesNotContain(replied["timeline"]!.AsArray(), e => (string)e!["type"]! == "ClockOverdue" && (string)e["data"]!["name"]! == "handling");

        // Nothing more fires for the stopped clock: once the witness's clock (due no earlier) has run out and been recorded
        // overdue, the case still has no overdue and its handling clock is as the reply left it (other clocks, such as the
        // review window the reply opened, go on).
        static bool HandlingOverdue(JsonNode e) => (string)e!["type"]! == "ClockOverdue" && (string)e["data"]!["name"]! == "handling";
        await app.CaseWhenAsync("c-housing-officer", witness, d => d["timeline"]!.AsArray().Any(e => HandlingOverdue(e!)), "the witness's handling clock overdue");
        var later = await officer.GetAsync(new Uri($"/api/cases/{id}", UriKind.Relative)).OkAsync();
        Assert.DoesNotContain(later["timeline"]!.AsArray(), e => HandlingOverdue(e!));
        Assert.Equal(replied.Clock("handling").ToJsonString(), later.Clock("handling").ToJsonString());
    }

    [Fact]
    public async Task Extension_moves_the_due_date_once_and_a_second_extension_is_refused()
    {
        await using var app = await CaseApp.StartAsync(Start);
        var registrar = app.As("c-registrar");
        var officer = app.As("c-housing-officer");
        var head = app.As("c-housing-head");
        var (id, _) = await registrar.RegisterAsync(app.Now);
        await registrar.Command(id, "route", new { kind = "Forward", agencyId = "c-housing" }).OkAsync();
        var accepted = await officer.Command(id, "accept").OkAsync();
        var acceptedOn = accepted.Event("CaseAccepted")["data"]!["acceptedOn"]!.GetValue<string>();
        var oldDue = DateTimeOffset.Parse((string)accepted.Clock("handling")["dueInstant"]!, System.Globalization.CultureInfo.InvariantCulture);

        // Only the agency head approves an extension (Art. 34).
        var byOfficer = await officer.Command(id, "approve-extension", new { days = 30, reason = "情况复杂", petitionerToldOn = acceptedOn });
        Assert.Equal(HttpStatusCode.Forbidden, byOfficer.StatusCode);
        Assert.Equal("application/problem+json", byOfficer.Content.Headers.ContentType?.MediaType);

        var extended = await head.Command(id, "approve-extension", new { days = 30, reason = "情况复杂", petitionerToldOn = acceptedOn }).OkAsync();
        var handling = extended.Clock("handling");
        Assert.Equal(Legal.Due(acceptedOn, 60, extension: 30), (string)handling["dueDate"]!); // 60 + 30 days
        Assert.Contains(handling["explanation"]!.AsArray(), l => ((string)l!).Contains("情况复杂", StringComparison.Ordinal));

        var again = await head.Command(id, "approve-extension", new { days = 10, reason = "再次延长", petitionerToldOn = acceptedOn });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);

        // The old generation's due instant passes without an overdue: only the rescheduled timer is live.
        await app.UntilAsync(oldDue + TimeSpan.FromDays(3));
        var detail = await officer.GetAsync(new Uri($"/api/cases/{id}", UriKind.Relative)).OkAsync();
        Assert.DoesNotContain(detail["timeline"]!.AsArray(), e => (string)e!["type"]! == "ClockOverdue" && (string)e["data"]!["name"]! == "handling");
    }

    [Fact]
    public async Task Objection_upheld_returns_the_case_for_re_routing_to_another_agency()
    {
        // Six legal hours per real second: the 5-working-day objection window outlasts the steps below.
        await using var app = await CaseApp.StartAsync(Start, speed: 6 * 3600);
        var registrar = app.As("c-registrar");
        var housing = app.As("c-housing-officer");
        var (id, _) = await registrar.RegisterAsync(app.Now);
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

        // The first agency held the case once, so it still sees it, but may no longer act on it: the step is refused.
        var late = await housing.Command(id, "reply", new { outcome = "Explain", opinionFile = "x.pdf" });
        Assert.Equal(HttpStatusCode.Forbidden, late.StatusCode);
    }

    [Fact]
    public async Task Referral_to_a_legal_channel_ends_the_petition_track()
    {
        await using var app = await CaseApp.StartAsync(Start);
        var registrar = app.As("c-registrar");
        var (id, _) = await registrar.RegisterAsync(app.Now);

        var referred = await registrar.Command(id, "refer-out", new { channel = "Litigation", reason = "已进入诉讼程序" }).OkAsync();

        // A witness registered just after and left unrouted: its 15-day routing clock is due no earlier than the case's was.
        var (witness, _) = await registrar.RegisterAsync(app.Now, matter: "referral:witness", petitioner: "李四");

        Assert.Equal("ReferredOut", (string)referred["status"]!);
        Assert.DoesNotContain(referred["clocks"]!.AsArray(), c => (string)c!["status"]! == "Running");
        var route = await registrar.Command(id, "route", new { kind = "Forward", agencyId = "c-housing" });
        Assert.Equal(HttpStatusCode.Conflict, route.StatusCode);
        Assert.Equal("application/problem+json", route.Content.Headers.ContentType?.MediaType);

        // No clock of the petition track fires afterwards: once the witness's routing clock has run out and been recorded,
        // the referred case still has no overdue and no new event.
        await app.CaseWhenAsync("c-registrar", witness, d => d.EventTypes().Contains("ClockOverdue"), "the witness's routing clock overdue");
        var detail = await registrar.GetAsync(new Uri($"/api/cases/{id}", UriKind.Relative)).OkAsync();
        Assert.DoesNotContain("ClockOverdue", detail.EventTypes());
        Assert.Equal((int)referred["version"]!, (int)detail["version"]!);
    }
}

/// <summary>Expected due dates, from the same legal calendar the service uses (its rules are tested in the domain).</summary>
internal static class Legal
{
    public static string Due(string trigger, int days, int extension = 0, DayUnit unit = DayUnit.Natural) =>
        LegalCalendar.Default.Compute(new DeadlineRequest(
            NodaTime.Text.LocalDatePattern.Iso.Parse(trigger).Value, days, unit,
            Extension: extension == 0 ? null : new ClockExtension(extension, "test"))).DueDate.ToString("uuuu-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    public static LocalDate DateOf(DateTimeOffset instant) => LegalCalendar.LocalDateOf(Instant.FromDateTimeOffset(instant));

    /// <summary>When <paramref name="date"/> begins in Beijing time.</summary>
    public static DateTimeOffset StartOf(LocalDate date) => date.AtStartOfDayInZone(LegalCalendar.Zone).ToDateTimeOffset();
}
