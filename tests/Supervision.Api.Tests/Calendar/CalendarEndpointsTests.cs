using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Supervision.Calendar.Storage;
using Supervision.Domain.Calendar;
using Supervision.Testing;

namespace Supervision.Api.Tests.Calendar;

/// <summary>
/// The calendar over HTTP through the real app. The PUT path runs against Azurite, each test with its own container, and a
/// test authentication scheme that signs in from the <c>X-Test-Roles</c> header (absent: anonymous).
/// </summary>
public sealed class CalendarEndpointsTests : IClassFixture<WebApplicationFactory<Program>>
{
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly WebApplicationFactory<Program> factory;

    public CalendarEndpointsTests(WebApplicationFactory<Program> factory) => this.factory = factory;

    private WebApplicationFactory<Program> App(string? storage = null, string? container = null, FakeTimeProvider? time = null, bool signIn = true) =>
        factory.WithWebHostBuilder(b =>
        {
            b.UseSetting("AzureWebJobsStorage", storage ?? string.Empty);
            b.UseSetting("Supervision:Calendar:Container", container ?? "calendar");
            b.ConfigureTestServices(s =>
            {
                if (signIn)
                {
                    s.AddAuthentication(HeaderAuthentication.SchemeName)
                        .AddScheme<AuthenticationSchemeOptions, HeaderAuthentication>(HeaderAuthentication.SchemeName, _ => { });
                }

                if (time is not null)
                {
                    s.AddSingleton<TimeProvider>(time);
                }
            });
        });

    private static async Task<JsonNode> JsonAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string detailContains)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var detail = (string?)(await JsonAsync(response))["detail"];
        Assert.Contains(detailContains, detail, StringComparison.Ordinal);
    }

    private static string Notice2027(string version = "2027.1", int year = 2027) => JsonSerializer.Serialize(
        new
        {
            year,
            version,
            source = $"国务院办公厅关于{year}年部分节假日安排的通知（测试数据）",
            restBlocks = new[] { new { name = "国庆节", from = $"{year}-10-01", to = $"{year}-10-07" } },
            makeUpWorkdays = new[] { $"{year}-09-26", $"{year}-10-09" },
        },
        Relaxed);

    private static async Task<HttpResponseMessage> PutAsync(HttpClient client, string path, string body, string? roles)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (roles is not null)
        {
            request.Headers.Add(HeaderAuthentication.Header, roles);
        }

        return await client.SendAsync(request);
    }

    [Theory]
    [InlineData("2025-09-10", 60, "natural", "2025-11-10")]
    [InlineData("2025-09-20", 15, "natural", "2025-10-09")]
    [InlineData("2026-08-03", 60, "natural", "2026-10-08")]
    [InlineData("2025-09-26", 5, "working", "2025-10-10")]
    public async Task Deadline_returns_the_due_date_instant_and_explanation(string from, int days, string unit, string due)
    {
        using var client = App().CreateClient();
        var response = await client.GetAsync($"/api/calendar/deadline?from={from}&days={days}&unit={unit}&rule=登记转送&article=第二十二条");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await JsonAsync(response);
        var expected = LegalCalendar.Default.Compute(new DeadlineRequest(
            NodaTime.Text.LocalDatePattern.Iso.Parse(from).Value, days, unit == "natural" ? DayUnit.Natural : DayUnit.Working, "登记转送", "第二十二条"));
        Assert.Equal(due, (string?)json["dueDate"]);
        Assert.Equal(NodaTime.Text.InstantPattern.ExtendedIso.Format(expected.DueInstant), (string?)json["dueInstant"]);
        Assert.EndsWith("T16:00:00Z", (string?)json["dueInstant"], StringComparison.Ordinal); // 24:00 Beijing time
        Assert.False((bool)json["provisional"]!);
        var explanation = json["explanation"]!;
        Assert.Equal(from, (string?)explanation["trigger"]);
        Assert.Equal(unit, (string?)explanation["unit"]);
        Assert.Equal("登记转送", (string?)explanation["rule"]);
        Assert.Equal(CalendarQuery.Iso(expected.Explanation.RawLastDay), (string?)explanation["rawLastDay"]);
        Assert.Equal(expected.Explanation.CalendarVersion, (string?)explanation["calendarVersion"]);
        Assert.Equal(expected.Explanation.Lines, explanation["lines"]!.AsArray().Select(l => (string?)l));
        Assert.Contains("第二十二条", explanation["lines"]!.ToJsonString(Relaxed), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deadline_into_a_year_without_a_notice_is_flagged_provisional_with_the_reason()
    {
        using var client = App().CreateClient();
        var json = await JsonAsync(await client.GetAsync("/api/calendar/deadline?from=2026-12-20&days=30&unit=natural"));

        Assert.True((bool)json["provisional"]!);
        Assert.Contains("2027", (string?)json["explanation"]!["provisionalBecause"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("from=2025-9-1&days=15&unit=natural", "YYYY-MM-DD")]
    [InlineData("days=15&unit=natural", "from is required")]
    [InlineData("from=1999-01-01&days=15&unit=natural", "2000–2099")]
    [InlineData("from=2025-09-01&days=-1&unit=natural", "zero or more")]
    [InlineData("from=2025-09-01&days=ten&unit=natural", "whole number")]
    [InlineData("from=2025-09-01&days=15&unit=weeks", "unit must be 'natural'")]
    [InlineData("from=2025-09-01&days=15", "unit is required")]
    [InlineData("from=2099-12-01&days=60&unit=natural", "outside the supported years")]
    public async Task Bad_deadline_input_is_a_400_problem_saying_what_to_fix(string query, string detail)
    {
        using var client = App().CreateClient();
        await AssertProblemAsync(await client.GetAsync($"/api/calendar/deadline?{query}"), HttpStatusCode.BadRequest, detail);
    }

    [Fact]
    public async Task A_year_lists_its_notice_rest_blocks_make_up_days_and_every_day()
    {
        using var client = App().CreateClient();
        var json = await JsonAsync(await client.GetAsync("/api/calendar/2025"));
        var notice = LegalCalendar.Default.Notices[2025];

        Assert.False((bool)json["provisional"]!);
        Assert.Equal(notice.Version, (string?)json["notice"]!["version"]);
        Assert.Equal("embedded", (string?)json["notice"]!["origin"]);
        Assert.Equal(notice.RestBlocks.Count, json["restBlocks"]!.AsArray().Count);
        Assert.Equal(notice.MakeUpWorkdays.Select(CalendarQuery.Iso), json["makeUpWorkdays"]!.AsArray().Select(d => (string?)d));
        var days = json["days"]!.AsArray();
        Assert.Equal(365, days.Count);
        Assert.Equal("makeUpWorkday", (string?)days.Single(d => (string?)d!["date"] == "2025-09-28")!["kind"]);
        Assert.Equal("holiday", (string?)days.Single(d => (string?)d!["date"] == "2025-10-08")!["kind"]);
        Assert.Equal(days.Count(d => (string?)d!["kind"] is "workday" or "makeUpWorkday"), (int)json["workingDays"]!);
    }

    [Fact]
    public async Task A_year_without_a_notice_is_provisional()
    {
        using var client = App().CreateClient();
        var json = await JsonAsync(await client.GetAsync("/api/calendar/2027"));

        Assert.True((bool)json["provisional"]!);
        Assert.Contains("no notice loaded", (string?)json["provisionalBecause"], StringComparison.Ordinal);
        Assert.Null(json["notice"]);
        Assert.Empty(json["restBlocks"]!.AsArray());
    }

    [Theory]
    [InlineData("1999")]
    [InlineData("abcd")]
    [InlineData("2100")]
    public async Task A_year_out_of_range_is_a_400_problem(string year)
    {
        using var client = App().CreateClient();
        await AssertProblemAsync(await client.GetAsync($"/api/calendar/{year}"), HttpStatusCode.BadRequest, "between 2000 and 2099");
    }

    [Fact]
    public async Task Loading_a_notice_needs_an_authenticated_admin()
    {
        using var client = App(await TestStorage.GetConnectionStringAsync(), TestStorage.UniqueName("cal")).CreateClient();

        await AssertProblemAsync(await PutAsync(client, "/api/calendar/notices/2027", Notice2027(), roles: null), HttpStatusCode.Unauthorized, "calendar-admin");
        await AssertProblemAsync(await PutAsync(client, "/api/calendar/notices/2027", Notice2027(), roles: "reader"), HttpStatusCode.Forbidden, "'admin'");

        // Nothing was stored by the refused calls.
        Assert.True((bool)(await JsonAsync(await client.GetAsync("/api/calendar/2027")))["provisional"]!);
    }

    [Fact]
    public async Task Before_any_authentication_scheme_is_registered_loading_is_refused_with_a_401_problem()
    {
        using var client = App(await TestStorage.GetConnectionStringAsync(), TestStorage.UniqueName("cal"), signIn: false).CreateClient();

        await AssertProblemAsync(await PutAsync(client, "/api/calendar/notices/2027", Notice2027(), roles: "admin"), HttpStatusCode.Unauthorized, "calendar-admin");
    }

    [Fact]
    public async Task An_admin_loads_a_new_year_which_deadlines_then_use()
    {
        var container = TestStorage.UniqueName("cal");
        using var client = App(await TestStorage.GetConnectionStringAsync(), container).CreateClient();

        var created = await PutAsync(client, "/api/calendar/notices/2027", Notice2027(), roles: "admin");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("2027.1", (string?)(await JsonAsync(created))["version"]);

        var year = await JsonAsync(await client.GetAsync("/api/calendar/2027"));
        Assert.False((bool)year["provisional"]!);
        Assert.Equal("stored", (string?)year["notice"]!["origin"]);

        // 2027-09-27 + 5 natural days = 10-02, inside the loaded National Day block: rolls to 10-08.
        var deadline = await JsonAsync(await client.GetAsync("/api/calendar/deadline?from=2027-09-27&days=5&unit=natural"));
        Assert.Equal("2027-10-08", (string?)deadline["dueDate"]);
        Assert.False((bool)deadline["provisional"]!);
        Assert.Contains("2027@2027.1", (string?)deadline["explanation"]!["calendarVersion"], StringComparison.Ordinal);

        // The blob is where the CLI and other instances read it.
        var blobs = (await TestStorage.BlobsAsync()).GetBlobContainerClient(container);
        Assert.True((await blobs.GetBlobClient(CalendarStore.NoticeBlobName(2027)).ExistsAsync()).Value);

        // Same version again: 200, unchanged. A new version replaces it: 200.
        var again = await PutAsync(client, "/api/calendar/notices/2027", Notice2027(), roles: "admin");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.True((bool)(await JsonAsync(again))["unchanged"]!);
        var replaced = await PutAsync(client, "/api/calendar/notices/2027", Notice2027("2027.2"), roles: "admin");
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        Assert.Equal("2027.1", (string?)(await JsonAsync(replaced))["replaced"]!["version"]);
    }

    [Fact]
    public async Task Invalid_notices_are_400_problems_and_nothing_is_stored()
    {
        var container = TestStorage.UniqueName("cal");
        using var client = App(await TestStorage.GetConnectionStringAsync(), container).CreateClient();
        var weekdayMakeUp = Notice2027().Replace("2027-09-26", "2027-09-27", StringComparison.Ordinal); // a Monday

        await AssertProblemAsync(await PutAsync(client, "/api/calendar/notices/2027", "{", "admin"), HttpStatusCode.BadRequest, "not valid JSON");
        await AssertProblemAsync(await PutAsync(client, "/api/calendar/notices/2027", weekdayMakeUp, "admin"), HttpStatusCode.BadRequest, "weekend days");
        await AssertProblemAsync(await PutAsync(client, "/api/calendar/notices/2027", Notice2027().Replace("\"version\":\"2027.1\"", "\"version\":\"\"", StringComparison.Ordinal), "admin"), HttpStatusCode.BadRequest, "version is required");

        var blobs = (await TestStorage.BlobsAsync()).GetBlobContainerClient(container);
        var any = false;
        if ((await blobs.ExistsAsync()).Value)
        {
            await foreach (var unused in blobs.GetBlobsAsync())
            {
                any = true;
            }
        }

        Assert.False(any);
    }

    [Fact]
    public async Task A_body_for_another_year_is_a_409_and_a_changed_notice_under_the_same_version_too()
    {
        using var client = App(await TestStorage.GetConnectionStringAsync(), TestStorage.UniqueName("cal")).CreateClient();

        await AssertProblemAsync(await PutAsync(client, "/api/calendar/notices/2028", Notice2027(), "admin"), HttpStatusCode.Conflict, "/api/calendar/notices/2027");

        // 2025.1 is the embedded version: different data under it must get a new version.
        var changed = JsonNode.Parse(LegalCalendar.Default.Notices[2025].ToJson())!;
        changed["makeUpWorkdays"]!.AsArray().RemoveAt(0);
        await AssertProblemAsync(await PutAsync(client, "/api/calendar/notices/2025", changed.ToJsonString(), "admin"), HttpStatusCode.Conflict, "new version");

        // With a new version it overrides the embedded notice.
        changed["version"] = "2025.2";
        Assert.Equal(HttpStatusCode.Created, (await PutAsync(client, "/api/calendar/notices/2025", changed.ToJsonString(), "admin")).StatusCode);
        var year = await JsonAsync(await client.GetAsync("/api/calendar/2025"));
        Assert.Equal("2025.2", (string?)year["notice"]!["version"]);
        Assert.Equal("weekend", (string?)year["days"]!.AsArray().Single(d => (string?)d!["date"] == "2025-01-26")!["kind"]);
    }

    [Fact]
    public async Task Without_storage_configured_reads_use_the_embedded_notices_and_loading_is_a_503()
    {
        using var client = App().CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/calendar/2026")).StatusCode);
        await AssertProblemAsync(await PutAsync(client, "/api/calendar/notices/2027", Notice2027(), "admin"), HttpStatusCode.ServiceUnavailable, "AzureWebJobsStorage");
    }

    [Fact]
    public async Task A_notice_stored_by_another_instance_is_picked_up_after_the_refresh_interval()
    {
        var container = TestStorage.UniqueName("cal");
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-23T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        using var client = App(await TestStorage.GetConnectionStringAsync(), container, time).CreateClient();
        Assert.True((bool)(await JsonAsync(await client.GetAsync("/api/calendar/2027")))["provisional"]!);

        // Another instance (here: a store of our own on the same container) loads 2027.
        var other = new CalendarStore(
            (await TestStorage.BlobsAsync()).GetBlobContainerClient(container), Supervision.Orchestrations.Clocks.Wall, TimeSpan.Zero);
        await other.SaveAsync(HolidayNotice.Parse(Notice2027()));

        Assert.True((bool)(await JsonAsync(await client.GetAsync("/api/calendar/2027")))["provisional"]!); // still cached
        time.Advance(TimeSpan.FromSeconds(61));

        // The first read after the interval is served from memory and starts a background refresh; reads then see it.
        await Cases.CaseApp.EventuallyAsync(
            async () => await JsonAsync(await client.GetAsync("/api/calendar/2027")) is { } year && !(bool)year["provisional"]! ? year : null,
            "the 2027 notice stored by another instance");
    }

    [Fact]
    public async Task Start_up_does_not_touch_storage_and_an_unreachable_account_falls_back_to_the_embedded_notices()
    {
        // Nothing listens on port 1: start-up must still answer at once, and reads keep working.
        const string unreachable = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;";
        using var client = App(unreachable).CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);
        var json = await JsonAsync(await client.GetAsync("/api/calendar/deadline?from=2025-09-20&days=15&unit=natural"));
        Assert.Equal("2025-10-09", (string?)json["dueDate"]);
        Assert.Contains("unavailable", (string?)json["storageProblem"], StringComparison.Ordinal);
    }

    /// <summary>Signs in from <c>X-Test-Roles: admin,reader</c>; without the header the request stays anonymous.</summary>
    public sealed class HeaderAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string SchemeName = "Test";
        public const string Header = "X-Test-Roles";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (!Request.Headers.TryGetValue(Header, out var roles))
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            var claims = roles.ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(r => new Claim(ClaimTypes.Role, r))
                .Append(new Claim(ClaimTypes.Name, "tester"));
            var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
        }
    }
}
