using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Supervision.Api.Tests.Cases;

/// <summary>Lights over time, the overdue record at the due instant, review and re-examination with a hearing, and repeats.</summary>
public sealed class CaseOverdueScenarios
{
    private static readonly DateTimeOffset Start = new(2025, 9, 10, 1, 0, 0, TimeSpan.Zero);

    private static DateTimeOffset Instant(JsonNode? value) => DateTimeOffset.Parse((string)value!, CultureInfo.InvariantCulture);

    [Fact]
    public async Task Handling_turns_red_at_the_due_instant_with_an_overdue_record_and_an_urgent_alert()
    {
        await using var app = await CaseApp.StartAsync(Start);
        var registrar = app.As("c-registrar");
        var officer = app.As("c-housing-officer");
        var (id, _) = await registrar.RegisterAsync(app.Now);
        await registrar.Command(id, "route", new { kind = "Forward", agencyId = "c-housing" }).OkAsync();
        var accepted = await officer.Command(id, "accept").OkAsync();
        var due = Instant(accepted.Clock("handling")["dueInstant"]);

        // Two legal days before the deadline the warning has been raised and nothing is overdue yet.
        await app.UntilAsync(due - TimeSpan.FromDays(2));
        var before = await officer.GetAsync(new Uri($"/api/cases/{id}", UriKind.Relative)).OkAsync();
        Assert.NotEqual("Red", (string)before.Clock("handling")["light"]!);
        Assert.DoesNotContain(before["timeline"]!.AsArray(), e => (string)e!["type"]! == "ClockOverdue" && (string)e["data"]!["name"]! == "handling");
        static JsonNode? HandlingWarning(JsonNode d) =>
            d["timeline"]!.AsArray().FirstOrDefault(e => (string)e!["type"]! == "ClockWarningRaised" && (string)e["data"]!["name"]! == "handling");
        var warning = await app.CaseWhenAsync("c-housing-officer", id, d => HandlingWarning(d) is not null, "the 预警 of the handling clock");

        // The warning's legal record is its threshold: five working days before the due date, not when a worker ran.
        var warnedAt = Instant(HandlingWarning(warning)!["at"]);
        Assert.True(warnedAt < due - TimeSpan.FromDays(4), $"warning recorded at {warnedAt:O}, due {due:O}");

        // After the deadline the clock is red, and the legal record carries the due instant exactly.
        static JsonNode? HandlingOverdue(JsonNode d) =>
            d["timeline"]!.AsArray().FirstOrDefault(e => (string)e!["type"]! == "ClockOverdue" && (string)e["data"]!["name"]! == "handling");
        var after = await app.CaseWhenAsync(
            "c-housing-officer", id, d => HandlingOverdue(d) is not null && (string?)d.Clock("handling")["light"] == "Red", "the 超期 record of the handling clock, and its red light");
        Assert.Equal("Red", (string)after.Clock("handling")["light"]!);
        Assert.Equal(due, Instant(HandlingOverdue(after)!["at"]));

        var red = await officer.GetAsync(new Uri("/api/cases?light=red", UriKind.Relative)).OkAsync();
        Assert.Contains(red["items"]!.AsArray(), i => (string)i!["id"]! == id);

        var mailbox = await CaseApp.EventuallyAsync<JsonNode>(async () =>
        {
            var m = await app.As("c-housing-head").GetAsync(new Uri("/api/mailbox", UriKind.Relative)).OkAsync();
            return m.AsArray().Any(x => (string)x!["urgency"]! == "Urgent" && ((string?)x["link"] ?? string.Empty).Contains(id, StringComparison.Ordinal)) ? m : null;
        }, "the urgent overdue alert in the agency head's mailbox");
        Assert.NotEmpty(mailbox.AsArray());
    }

    [Fact]
    public async Task Review_then_re_examination_with_a_hearing_pause_ends_final()
    {
        await using var app = await CaseApp.StartAsync(Start, speed: 86_400);
        var registrar = app.As("c-registrar");
        var officer = app.As("c-housing-officer");
        var (id, code) = await registrar.RegisterAsync(app.Now);
        await registrar.Command(id, "route", new { kind = "Forward", agencyId = "c-housing" }).OkAsync();
        await officer.Command(id, "accept").OkAsync();
        await officer.Command(id, "reply", new { outcome = "NotSupport", opinionFile = "opinions/reply.pdf" }).OkAsync();

        // The petitioner requests review with the query code; the review goes to the body one level above.
        var petitioner = app.Anonymous();
        petitioner.DefaultRequestHeaders.Add("X-Query-Code", code);
        await petitioner.PostAsJsonAsync($"/api/petitioner/cases/{id}/request-review", new { }).OkAsync();
        var reviewer = app.As("c-gov-officer");
        var underReview = await reviewer.GetAsync(new Uri($"/api/cases/{id}", UriKind.Relative)).OkAsync();
        Assert.Equal("UnderReview", (string)underReview["status"]!);

        await reviewer.Command(id, "review-opinion", new { outcome = "NotSupport", opinionFile = "opinions/review.pdf" }).OkAsync();
        await petitioner.PostAsJsonAsync($"/api/petitioner/cases/{id}/request-reexamination", new { }).OkAsync();
        var requestedBy = Legal.DateOf(app.Now); // the request was received on this day or earlier

        var examiner = app.As("p-gov-officer");
        var started = await examiner.GetAsync(new Uri($"/api/cases/{id}", UriKind.Relative)).OkAsync();
        var dueBefore = (string)started.Clock("reexam")["dueDate"]!;

        // A hearing of several days: its days are not counted (Art. 36), so the due date moves later. It starts on a day
        // after the request was received (the decider refuses the same day), so wait for that day to begin.
        await app.UntilAsync(Legal.StartOf(requestedBy.PlusDays(1)) + TimeSpan.FromHours(9));
        var hearingStart = Legal.DateOf(app.Now);
        await examiner.Command(id, "start-hearing", new { on = hearingStart.ToString("uuuu-MM-dd", CultureInfo.InvariantCulture) }).OkAsync();
        await app.UntilAsync(app.Now + TimeSpan.FromDays(5));
        var hearingEnd = Legal.DateOf(app.Now);
        var resumed = await examiner.Command(id, "end-hearing", new { on = hearingEnd.ToString("uuuu-MM-dd", CultureInfo.InvariantCulture) }).OkAsync();
        var dueAfter = (string)resumed.Clock("reexam")["dueDate"]!;
        Assert.True(string.CompareOrdinal(dueAfter, dueBefore) > 0, $"{dueAfter} should be after {dueBefore}");
        Assert.Contains(resumed.Clock("reexam")["explanation"]!.AsArray(), l => ((string)l!).Contains("听证", StringComparison.Ordinal));

        var final = await examiner.Command(id, "reexamination-opinion", new { outcome = "NotSupport", opinionFile = "opinions/final.pdf" }).OkAsync();
        Assert.Equal("Final", (string)final["status"]!);

        // The petitioner sees progress with the query code, without internal names.
        var view = await petitioner.GetAsync(new Uri($"/api/petitioner/cases/{id}", UriKind.Relative)).OkAsync();
        Assert.Equal("Final", (string)view["status"]!);
        Assert.Null(view["timeline"]);

        // Dated steps in plain words, the hearing among them, and no unit or person named.
        var steps = view["steps"]!.AsArray().Select(st => (string)st!["text"]!).ToList();
        Assert.Contains("复核请求已收到", steps);
        Assert.Contains(steps, st => st.StartsWith("复核听证开始", StringComparison.Ordinal));
        Assert.Equal("已出具复核意见，信访事项终结", steps[^1]);
        Assert.DoesNotContain("c-housing", view.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(3, view["replies"]!.AsArray().Count); // reply, review and re-examination opinions
    }

    [Fact]
    public async Task A_repeat_of_a_final_case_is_refused_and_recorded_on_it()
    {
        await using var app = await CaseApp.StartAsync(Start);
        var registrar = app.As("c-registrar");
        var officer = app.As("c-housing-officer");
        var (id, code) = await registrar.RegisterAsync(app.Now, matter: "housing:demolition:lot-9", petitioner: "李四");
        await registrar.Command(id, "route", new { kind = "Forward", agencyId = "c-housing" }).OkAsync();
        await officer.Command(id, "accept").OkAsync();
        await officer.Command(id, "reply", new { outcome = "NotSupport", opinionFile = "r.pdf" }).OkAsync();
        var petitioner = app.Anonymous();
        petitioner.DefaultRequestHeaders.Add("X-Query-Code", code);
        await petitioner.PostAsJsonAsync($"/api/petitioner/cases/{id}/request-review", new { }).OkAsync();
        await app.As("c-gov-officer").Command(id, "review-opinion", new { outcome = "NotSupport", opinionFile = "v.pdf" }).OkAsync();
        await petitioner.PostAsJsonAsync($"/api/petitioner/cases/{id}/request-reexamination", new { }).OkAsync();
        var requestedBy = Legal.DateOf(app.Now); // the request was received on this day or earlier
        await app.As("p-gov-officer").Command(id, "reexamination-opinion", new { outcome = "NotSupport", opinionFile = "f.pdf" }).OkAsync();

        await app.AdvanceAsync(TimeSpan.FromDays(40));
        var repeat = await registrar.PostAsJsonAsync("/api/cases", new
        {
            channel = "Visit",
            receivedAt = Api.Utc(app.Now),
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
