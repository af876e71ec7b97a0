using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Supervision.Api.Tests.Cases;

/// <summary>Lights over time, the overdue effect at the due instant, review and re-examination with a hearing, and repeats.</summary>
public sealed class CaseOverdueScenarios
{
    private static readonly DateTimeOffset Start = new(2025, 9, 10, 1, 0, 0, TimeSpan.Zero);

    // 2025-11-10 24:00 Beijing time: the handling deadline of a case accepted on 2025-09-10.
    private static readonly DateTimeOffset HandlingDue = new(2025, 11, 10, 16, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Handling_turns_red_at_the_due_instant_with_an_overdue_record_and_an_urgent_alert()
    {
        await using var app = await CaseApp.StartAsync(Start);
        var registrar = app.As("c-registrar");
        var officer = app.As("c-housing-officer");
        var (id, _) = await registrar.RegisterAsync(Start);
        await registrar.Command(id, "route", new { kind = "Forward", agencyId = "c-housing" }).OkAsync();
        await officer.Command(id, "accept").OkAsync();

        await app.AdvanceAsync(HandlingDue - TimeSpan.FromHours(1) - app.Clock.GetUtcNow(), TimeSpan.FromDays(1));
        var before = await officer.GetAsync(new Uri($"/api/cases/{id}", UriKind.Relative)).OkAsync();
        Assert.NotEqual("Red", (string)before.Clock("handling")["light"]!);
        Assert.DoesNotContain("ClockOverdue", before.EventTypes());
        Assert.Contains("ClockWarningRaised", before.EventTypes());

        // The list filters by light: the case is orange/yellow before the deadline, red after.
        await app.AdvanceAsync(TimeSpan.FromHours(2));
        var after = await officer.GetAsync(new Uri($"/api/cases/{id}", UriKind.Relative)).OkAsync();
        Assert.Equal("Red", (string)after.Clock("handling")["light"]!);
        var overdue = after["timeline"]!.AsArray().Single(e => (string)e!["type"]! == "ClockOverdue");

        // The legal record carries the due instant, not the moment a worker got to it.
        Assert.Equal(HandlingDue, DateTimeOffset.Parse((string)overdue!["at"]!, System.Globalization.CultureInfo.InvariantCulture));

        var red = await officer.GetAsync(new Uri("/api/cases?light=red", UriKind.Relative)).OkAsync();
        Assert.Contains(red["items"]!.AsArray(), i => (string)i!["id"]! == id);

        var mailbox = await app.As("c-housing-head").GetAsync(new Uri("/api/mailbox", UriKind.Relative)).OkAsync();
        Assert.Contains(mailbox.AsArray(), m => (string)m!["urgency"]! == "Urgent" && ((string?)m["link"] ?? string.Empty).Contains(id, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Review_then_re_examination_with_a_hearing_pause_ends_final()
    {
        await using var app = await CaseApp.StartAsync(Start);
        var registrar = app.As("c-registrar");
        var officer = app.As("c-housing-officer");
        var (id, code) = await registrar.RegisterAsync(Start);
        await registrar.Command(id, "route", new { kind = "Forward", agencyId = "c-housing" }).OkAsync();
        await officer.Command(id, "accept").OkAsync();
        await app.AdvanceAsync(TimeSpan.FromDays(10), TimeSpan.FromDays(2));
        await officer.Command(id, "reply", new { outcome = "NotSupport", opinionFile = "opinions/reply.pdf" }).OkAsync();

        // The petitioner requests review with the query code; the review goes to the body one level above.
        var petitioner = app.Anonymous();
        petitioner.DefaultRequestHeaders.Add("X-Query-Code", code);
        await petitioner.PostAsJsonAsync($"/api/petitioner/cases/{id}/request-review", new { }).OkAsync();
        var reviewer = app.As("c-gov-officer");
        var underReview = await reviewer.GetAsync(new Uri($"/api/cases/{id}", UriKind.Relative)).OkAsync();
        Assert.Equal("UnderReview", (string)underReview["status"]!);

        await app.AdvanceAsync(TimeSpan.FromDays(5), TimeSpan.FromDays(1));
        await reviewer.Command(id, "review-opinion", new { outcome = "NotSupport", opinionFile = "opinions/review.pdf" }).OkAsync();
        await petitioner.PostAsJsonAsync($"/api/petitioner/cases/{id}/request-reexamination", new { }).OkAsync();

        var examiner = app.As("p-gov-officer");
        var started = await examiner.GetAsync(new Uri($"/api/cases/{id}", UriKind.Relative)).OkAsync();
        var dueBefore = (string)started.Clock("reexam")["dueDate"]!;
        var today = app.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8));

        // A 7-day hearing: its days are not counted (Art. 36).
        await app.AdvanceAsync(TimeSpan.FromDays(3), TimeSpan.FromDays(1));
        var hearingStart = today.AddDays(3).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await examiner.Command(id, "start-hearing", new { on = hearingStart }).OkAsync();
        await app.AdvanceAsync(TimeSpan.FromDays(6), TimeSpan.FromDays(1));
        var hearingEnd = today.AddDays(9).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var resumed = await examiner.Command(id, "end-hearing", new { on = hearingEnd }).OkAsync();
        var dueAfter = (string)resumed.Clock("reexam")["dueDate"]!;
        Assert.True(string.CompareOrdinal(dueAfter, dueBefore) > 0, $"{dueAfter} should be after {dueBefore}");
        Assert.Contains(resumed.Clock("reexam")["explanation"]!.AsArray(), l => ((string)l!).Contains("听证", StringComparison.Ordinal));

        var final = await examiner.Command(id, "reexamination-opinion", new { outcome = "NotSupport", opinionFile = "opinions/final.pdf" }).OkAsync();
        Assert.Equal("Final", (string)final["status"]!);

        // The petitioner sees progress with the query code, without internal names.
        var view = await petitioner.GetAsync(new Uri($"/api/petitioner/cases/{id}", UriKind.Relative)).OkAsync();
        Assert.Equal("Final", (string)view["status"]!);
        Assert.Null(view["timeline"]);
    }

    [Fact]
    public async Task A_repeat_of_a_final_case_is_refused_and_recorded_on_it()
    {
        await using var app = await CaseApp.StartAsync(Start);
        var registrar = app.As("c-registrar");
        var officer = app.As("c-housing-officer");
        var (id, code) = await registrar.RegisterAsync(Start, matter: "housing:demolition:lot-9", petitioner: "李四");
        await registrar.Command(id, "route", new { kind = "Forward", agencyId = "c-housing" }).OkAsync();
        await officer.Command(id, "accept").OkAsync();
        await officer.Command(id, "reply", new { outcome = "NotSupport", opinionFile = "r.pdf" }).OkAsync();
        var petitioner = app.Anonymous();
        petitioner.DefaultRequestHeaders.Add("X-Query-Code", code);
        await petitioner.PostAsJsonAsync($"/api/petitioner/cases/{id}/request-review", new { }).OkAsync();
        await app.As("c-gov-officer").Command(id, "review-opinion", new { outcome = "NotSupport", opinionFile = "v.pdf" }).OkAsync();
        await petitioner.PostAsJsonAsync($"/api/petitioner/cases/{id}/request-reexamination", new { }).OkAsync();
        await app.As("p-gov-officer").Command(id, "reexamination-opinion", new { outcome = "NotSupport", opinionFile = "f.pdf" }).OkAsync();

        await app.AdvanceAsync(TimeSpan.FromDays(40), TimeSpan.FromDays(4));
        var repeat = await registrar.PostAsJsonAsync("/api/cases", new
        {
            channel = "Visit",
            receivedAt = Api.Utc(app.Clock.GetUtcNow()),
            unitId = "c-bureau",
            petitioner = new { name = "李四", phone = "13800000000" },
            summary = "再次反映拆迁补偿",
            matterKey = "housing:demolition:lot-9",
            category = "Complaint",
        });

        Assert.Equal(HttpStatusCode.Conflict, repeat.StatusCode);
        var problem = await repeat.JsonAsync();
        Assert.Contains("第三十六条", (string)problem["detail"]!, StringComparison.Ordinal);
        Assert.Equal(id, (string)problem["caseId"]!);
        var detail = await registrar.GetAsync(new Uri($"/api/cases/{id}", UriKind.Relative)).OkAsync();
        Assert.Contains("RepeatPetitionRefused", detail.EventTypes());
        var all = await registrar.GetAsync(new Uri("/api/cases", UriKind.Relative)).OkAsync();
        Assert.Single(all["items"]!.AsArray(), i => ((string)i!["id"]!).StartsWith("XF-", StringComparison.Ordinal));
    }
}
