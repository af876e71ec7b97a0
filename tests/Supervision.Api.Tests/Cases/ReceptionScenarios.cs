using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Supervision.Domain.Reception;
using Supervision.Orchestrations;

namespace Supervision.Api.Tests.Cases;

/// <summary>
/// Leaders' reception days through the API (decisions R10–R12): the bureau publishes, the petitioner books on the portal
/// with the query code and the registrar at the counter, a slot is taken once (also under a race), the leader's list
/// shows each visible case and only "taken" for a case the caller may not see (accusation guard), and the reception's
/// outcome is 包案 on the case. A booked slot reminds the leader and the bureaus a day ahead, not with the digest (R13).
/// </summary>
public sealed class ReceptionScenarios
{
    private static readonly DateTimeOffset Start = new(2025, 9, 10, 1, 0, 0, TimeSpan.Zero); // Wednesday 09:00 in Beijing
    private const string Day = "JF-c-leader-2025-09-12";

    [Fact]
    public async Task Publish_book_online_and_at_the_counter_list_for_the_leader_and_take_the_case()
    {
        await using var app = await CaseApp.StartAsync(Start, speed: 1);
        var cityRegistrar = app.As("c-registrar");
        var publish = new { leaderId = "c-leader", date = "2025-09-12", place = "市信访局接待大厅", start = "09:00", slots = 4 };
        var day = await cityRegistrar.PostAsJsonAsync("/api/receptions", publish).OkAsync();
        Assert.Equal((Day, "郑国栋", 30), ((string)day["id"]!, (string)day["leaderName"]!, (int)day["slotMinutes"]!));
        Assert.Equal(["09:00", "09:30", "10:00", "10:30"], day["slots"]!.AsArray().Select(x => (string)x!["time"]!));

        // Published once; only the bureau of the leader's level publishes; the policy caps the slots (field named).
        Assert.Equal(HttpStatusCode.Conflict, (await cityRegistrar.PostAsJsonAsync("/api/receptions", publish)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await app.As("ca-registrar").PostAsJsonAsync("/api/receptions", publish with { date = "2025-09-15" })).StatusCode);
        var tooMany = await cityRegistrar.PostAsJsonAsync("/api/receptions", publish with { date = "2025-09-16", slots = 99 });
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Contains("slots", (await tooMany.JsonAsync())["errors"]!.AsObject().Select(p => p.Key));

        // The petitioner books slot 2 with the query code; a wrong code is the same 404 as an unknown case.
        var registrar = app.As("ca-registrar");
        var (first, code) = await registrar.RegisterAsync(app.Now, unit: "ca-bureau", matter: "reception:first");
        var booked = await app.Petitioner(code).PostAsJsonAsync($"/api/portal/receptions/{Day}/bookings", new { caseId = first, slot = 2 }).OkAsync();
        Assert.Equal(("09:30", "市信访局接待大厅"), ((string)booked["time"]!, (string)booked["place"]!));
        Assert.Equal(HttpStatusCode.NotFound, (await app.Petitioner("wrong-code-123").PostAsJsonAsync($"/api/portal/receptions/{Day}/bookings", new { caseId = first, slot = 3 })).StatusCode);
        var reminder = await app.Petitioner(code).GetAsync(new Uri($"/api/petitioner/cases/{first}/receptions", UriKind.Relative)).OkAsync();
        Assert.Equal("2025-09-12", (string)reminder["items"]![0]!["date"]!);

        // The counter: a taken slot and a second slot for the same case are 409 with reasons; a free one is 201.
        var (second, _) = await registrar.RegisterAsync(app.Now, unit: "ca-bureau", matter: "reception:second", petitioner: "李四");
        var taken = await registrar.PostAsJsonAsync($"/api/receptions/{Day}/bookings", new { caseId = second, slot = 2 });
        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
        Assert.Equal("application/problem+json", taken.Content.Headers.ContentType?.MediaType);
        await registrar.PostAsJsonAsync($"/api/receptions/{Day}/bookings", new { caseId = second, slot = 3 }).OkAsync();
        var again = await registrar.PostAsJsonAsync($"/api/receptions/{Day}/bookings", new { caseId = second, slot = 4 });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("one booking per case", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Two desks race for slot 4: exactly one wins.
        var (third, _) = await registrar.RegisterAsync(app.Now, unit: "ca-bureau", matter: "reception:third", petitioner: "王五");
        var (fourth, _) = await registrar.RegisterAsync(app.Now, unit: "ca-bureau", matter: "reception:fourth", petitioner: "赵六");
        var race = await Task.WhenAll(
            app.As("ca-registrar").PostAsJsonAsync($"/api/receptions/{Day}/bookings", new { caseId = third, slot = 4 }),
            app.As("ca-registrar").PostAsJsonAsync($"/api/receptions/{Day}/bookings", new { caseId = fourth, slot = 4 }));
        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Conflict], race.Select(r => r.StatusCode).Order());

        // The leader's day lists every booking with its case; the public list says only which slots are free.
        var list = await app.As("c-leader").GetAsync(new Uri("/api/receptions?date=2025-09-12", UriKind.Relative)).OkAsync();
        var slots = Assert.Single(list["items"]!.AsArray())!["slots"]!.AsArray();
        Assert.Equal([null, first, second, null], slots.Select(x => (string?)x!["booking"]?["caseId"]).Take(3).Append(null));
        Assert.True((bool)slots[1]!["booking"]!["bookedOnline"]!);
        var open = await app.Anonymous().GetAsync(new Uri("/api/portal/receptions", UriKind.Relative));
        var openText = await open.Content.ReadAsStringAsync();
        Assert.Equal([false, true, true, true], JsonNode.Parse(openText)!["items"]![0]!["slots"]!.AsArray().Select(x => (bool)x!["taken"]!));
        Assert.DoesNotContain(first, openText, StringComparison.Ordinal);

        // The outcome of the reception: the leader takes the case (包案), citing the booking.
        var outcome = await app.As("c-leader").Command(first, "take-ownership", new { reason = "接访后包案", receptionId = (string)slots[1]!["booking"]!["id"]! }).OkAsync();
        Assert.Equal($"{Day}#2", (string)outcome["owner"]!["receptionId"]!);
    }

    [Fact]
    public async Task A_booking_of_an_accusation_never_shows_to_the_accused_unit()
    {
        await using var app = await CaseApp.StartAsync(Start, speed: 1);
        await app.As("c-registrar").PostAsJsonAsync("/api/receptions", new { leaderId = "c-leader", date = "2025-09-12", place = "市信访局", start = "14:00", slots = 2 }).OkAsync();

        // An accusation against the city bureau's supervisor: the city bureau is excluded (the accused person's unit).
        var registrar = app.As("ca-registrar");
        var registered = await registrar.PostAsJsonAsync("/api/cases", new
        {
            channel = "Letter",
            receivedAt = Api.Utc(app.Now),
            unitId = "ca-bureau",
            petitioner = new { name = "张三", phone = "13800000000" },
            summary = "检举",
            matterKey = "reception:accusation",
            category = "Accusation",
            accusedUnitId = "c-bureau",
            accusedPersonId = "c-supervisor",
        }).OkAsync();
        var accusation = (string)registered["case"]!["id"]!;
        await registrar.PostAsJsonAsync($"/api/receptions/{Day}/bookings", new { caseId = accusation, slot = 1 }).OkAsync();

        // The leader sees it; the city bureau's registrar (of the accused unit) sees the slot taken, and nothing of the case.
        var leader = await app.As("c-leader").GetAsync(new Uri("/api/receptions?date=2025-09-12", UriKind.Relative)).OkAsync();
        Assert.Equal(accusation, (string)leader["items"]![0]!["slots"]![0]!["booking"]!["caseId"]!);
        var accused = await app.As("c-registrar").GetAsync(new Uri("/api/receptions?date=2025-09-12", UriKind.Relative));
        var text = await accused.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, accused.StatusCode);
        var slot = JsonNode.Parse(text)!["items"]![0]!["slots"]![0]!;
        Assert.True((bool)slot["taken"]!);
        Assert.Null(slot["booking"]);
        Assert.DoesNotContain(accusation, text, StringComparison.Ordinal);

        // Nor can the accused unit book it, or take it at a reception: the case does not exist for them.
        var booking = await app.As("c-registrar").PostAsJsonAsync($"/api/receptions/{Day}/bookings", new { caseId = accusation, slot = 2 });
        Assert.Equal(HttpStatusCode.NotFound, booking.StatusCode);
    }

    [Fact]
    public async Task A_booked_reception_reminds_the_leader_and_the_bureaus_a_day_ahead_without_waiting_for_the_digest()
    {
        // One legal hour per real second, the morning digest on: a routine alert decided on the 11th would wait for 09:00
        // on the 12th; the reception is at 15:00 on the 12th, so its reminder (24 h before) is due at 15:00 on the 11th.
        var digest = new Dictionary<string, string> { ["Supervision:Alerts:Digest"] = "true" };
        await using var app = await CaseApp.StartAsync(Start, speed: 3600, settings: digest);
        await app.As("c-registrar").PostAsJsonAsync("/api/receptions", new { leaderId = "c-leader", date = "2025-09-12", place = "市信访局接待大厅", start = "15:00", slots = 2 }).OkAsync();
        var registrar = app.As("ca-registrar");
        var (caseId, _) = await registrar.RegisterAsync(app.Now, unit: "ca-bureau", matter: "reception:reminder");
        await registrar.PostAsJsonAsync($"/api/receptions/{Day}/bookings", new { caseId, slot = 1 }).OkAsync();

        // Slot 2: an accusation against the city bureau's supervisor, whose reminder must never reach the city bureau.
        var accusation = await RegisterAccusationAsync(app, "reception:reminder-accusation");
        await registrar.PostAsJsonAsync($"/api/receptions/{Day}/bookings", new { caseId = accusation, slot = 2 }).OkAsync();

        // The same booking again is a retry, not a conflict: it is answered 201 and books no second reminder.
        await registrar.PostAsJsonAsync($"/api/receptions/{Day}/bookings", new { caseId, slot = 1 }).OkAsync();

        var slotStart = new DateTimeOffset(2025, 9, 12, 15, 0, 0, TimeSpan.FromHours(8));
        var digestHour = new DateTimeOffset(2025, 9, 12, 9, 0, 0, TimeSpan.FromHours(8));
        Assert.True(app.Now < slotStart.AddDays(-1), $"the steps took until {app.Now:O}: this machine is too slow for the scenario");

        async Task<JsonNode?> ReminderAsync(string person, string? of = null) =>
            (await app.As(person).GetAsync(new Uri("/api/mailbox", UriKind.Relative)).OkAsync()).AsArray()
                .FirstOrDefault(m => (string?)m!["kind"] == "reception.reminder" && (string?)m["caseId"] == (of ?? caseId));

        var leader = await CaseApp.EventuallyAsync(() => ReminderAsync("c-leader"), "the leader's reception reminder", TimeSpan.FromSeconds(120));
        var seenAt = app.Now;
        Assert.True(seenAt < digestHour, $"the reminder arrived at {seenAt:O}, not before the digest of the reception day");
        Assert.Equal(("Timed", "reception"), ((string)leader["urgency"]!, (string)leader["sourceType"]!));
        Assert.False((bool?)leader["digested"] ?? false);
        Assert.Contains("2025-09-12 15:00", (string)leader["body"]!, StringComparison.Ordinal);
        Assert.Contains("市信访局接待大厅", (string)leader["body"]!, StringComparison.Ordinal);
        Assert.DoesNotContain("张三", (string)leader["body"]! + (string)leader["subject"]!, StringComparison.Ordinal); // no petitioner data

        // Delivered the day before the reception (Beijing), by the accelerated wall clock, before the slot.
        var delivered = leader["deliveredAt"]!.GetValue<DateTimeOffset>();
        Assert.True(delivered < slotStart, $"delivered at {delivered:O}, after the slot");
        Assert.Equal(new DateOnly(2025, 9, 11), DateOnly.FromDateTime(delivered.ToOffset(TimeSpan.FromHours(8)).DateTime));

        // The registrars of the hosting bureau and of the case's own bureau are told too (they phone the petitioner).
        foreach (var person in new[] { "c-registrar", "ca-registrar" })
        {
            var item = await CaseApp.EventuallyAsync(() => ReminderAsync(person), $"{person}'s reception reminder");
            Assert.Equal(("Timed", "registrar"), ((string)item["urgency"]!, (string)item["role"]!));
        }

        // The accusation's reminder (due 30 min after the first) reaches the leader and the case's own bureau, never the
        // accused city bureau: once the county registrar has it, the alert has gone out, and the city registrar has nothing.
        await CaseApp.EventuallyAsync(() => ReminderAsync("c-leader", accusation), "the leader's reminder of the accusation");
        await CaseApp.EventuallyAsync(() => ReminderAsync("ca-registrar", accusation), "the county registrar's reminder of the accusation");
        Assert.Null(await ReminderAsync("c-registrar", accusation));

        // By the legal record: booked once (the retry decided nothing), reminded at exactly 24 h before the slot.
        var store = app.Services.GetRequiredService<DecisionStore>();
        var record = await store.ReadEventsAsync(AppointmentDecider.Type, AppointmentDecider.InstanceId(Day, 1));
        Assert.Equal([nameof(AppointmentBooked), nameof(AppointmentReminded)], record.Select(e => e.EventType));
        Assert.Equal(slotStart.AddHours(-24), record[1].At);
    }

    [Fact]
    public async Task A_booking_is_cancelled_online_or_at_the_counter_its_slot_booked_again_and_its_reminder_off()
    {
        await using var app = await CaseApp.StartAsync(Start, speed: 1);
        await app.As("c-registrar").PostAsJsonAsync("/api/receptions", new { leaderId = "c-leader", date = "2025-09-12", place = "市信访局接待大厅", start = "09:00", slots = 2 }).OkAsync();
        var registrar = app.As("ca-registrar");
        var (first, code) = await registrar.RegisterAsync(app.Now, unit: "ca-bureau", matter: "reception:cancel-first");
        var (second, _) = await registrar.RegisterAsync(app.Now, unit: "ca-bureau", matter: "reception:cancel-second", petitioner: "李四");
        var petitioner = app.Petitioner(code);
        await petitioner.PostAsJsonAsync($"/api/portal/receptions/{Day}/bookings", new { caseId = first, slot = 1 }).OkAsync();

        // A wrong code is the same 404 as no booking; the petitioner cancels with the code, and the slot is free.
        Assert.Equal(HttpStatusCode.NotFound, (await app.Petitioner("wrong-code-123").DeleteAsync(new Uri($"/api/petitioner/cases/{first}/receptions/{Day}", UriKind.Relative))).StatusCode);
        var cancelled = await petitioner.DeleteAsync(new Uri($"/api/petitioner/cases/{first}/receptions/{Day}", UriKind.Relative)).OkAsync();
        Assert.Equal(($"{Day}#1", true), ((string)cancelled["id"]!, (bool)cancelled["cancelled"]!));
        Assert.Empty((await petitioner.GetAsync(new Uri($"/api/petitioner/cases/{first}/receptions", UriKind.Relative)).OkAsync())["items"]!.AsArray());
        var cancelledAgain = await petitioner.DeleteAsync(new Uri($"/api/petitioner/cases/{first}/receptions/{Day}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, cancelledAgain.StatusCode);
        Assert.Equal("application/problem+json", cancelledAgain.Content.Headers.ContentType?.MediaType);

        // The freed slot is booked by another case at the counter; the case page's list shows it.
        await registrar.PostAsJsonAsync($"/api/receptions/{Day}/bookings", new { caseId = second, slot = 1 }).OkAsync();
        var mine = await registrar.GetAsync(new Uri($"/api/cases/{second}/receptions", UriKind.Relative)).OkAsync();
        Assert.Equal($"{Day}#1", (string)Assert.Single(mine["items"]!.AsArray())!["id"]!);

        // Only a petition-bureau registrar cancels at the counter; an empty or unknown slot is 404 with a reason.
        Assert.Equal(HttpStatusCode.Forbidden, (await app.As("c-leader").DeleteAsync(new Uri($"/api/receptions/{Day}/bookings/1", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await registrar.DeleteAsync(new Uri($"/api/receptions/{Day}/bookings/2", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await registrar.DeleteAsync(new Uri($"/api/receptions/{Day}/bookings/x", UriKind.Relative))).StatusCode);
        await registrar.DeleteAsync(new Uri($"/api/receptions/{Day}/bookings/1", UriKind.Relative)).OkAsync();
        var list = await app.As("c-leader").GetAsync(new Uri("/api/receptions?date=2025-09-12", UriKind.Relative)).OkAsync();
        Assert.Equal([false, false], list["items"]![0]!["slots"]!.AsArray().Select(x => (bool)x!["taken"]!));

        // By the reminder's record: two bookings, each cancelled, and nothing left to remind of.
        var store = app.Services.GetRequiredService<DecisionStore>();
        var record = await store.ReadEventsAsync(AppointmentDecider.Type, AppointmentDecider.InstanceId(Day, 1));
        Assert.Equal(
            [nameof(AppointmentBooked), nameof(AppointmentCancelled), nameof(AppointmentBooked), nameof(AppointmentCancelled)],
            record.Select(e => e.EventType));
        Assert.Contains("registrar:ca-registrar", record[3].Data, StringComparison.Ordinal);
    }

    private static async Task<string> RegisterAccusationAsync(CaseApp app, string matter)
    {
        var registered = await app.As("ca-registrar").PostAsJsonAsync("/api/cases", new
        {
            channel = "Letter",
            receivedAt = Api.Utc(app.Now),
            unitId = "ca-bureau",
            petitioner = new { name = "张三", phone = "13800000000" },
            summary = "检举",
            matterKey = matter,
            category = "Accusation",
            accusedUnitId = "c-bureau",
            accusedPersonId = "c-supervisor",
        }).OkAsync();
        return (string)registered["case"]!["id"]!;
    }
}
