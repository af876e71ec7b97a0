using NodaTime;
using Supervision.Api.Cases;
using Supervision.Domain.Cases;
using Supervision.Orchestrations;

namespace Supervision.Api.Demo;

/// <summary>
/// Demo data (<c>Supervision:Demo=true</c>): a few cases of the demo org at different stages, so a newcomer can watch
/// their lights change on the accelerated clock. Runs in the background after start-up (never blocking it), waits
/// for storage and the engine, and is idempotent across restarts: every command has a fixed id, applied at most once.
/// </summary>
public sealed class DemoSeeder(CaseServices cases, TimeProvider clock, ILogger<DemoSeeder> logger) : BackgroundService
{
    /// <summary>The demo case ids, for the README and tests.</summary>
    public static readonly string[] CaseIds = ["XF-DEMO-0001", "XF-DEMO-0002", "XF-DEMO-0003", "XF-DEMO-0004"];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await SeedAsync(stoppingToken);
                logger.LogInformation("Demo cases are in place: {Cases}", string.Join(", ", CaseIds));
                return;
            }
            catch (Exception e) when (e is Azure.RequestFailedException or HttpRequestException or TimeoutException && attempt < 30)
            {
                // Storage may still be starting (Azurite next to us); this is a background task, so wait and retry.
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 5)), stoppingToken);
            }
        }
    }

    private async Task SeedAsync(CancellationToken ct)
    {
        var now = Instant.FromDateTimeOffset(clock.GetUtcNow());

        // 1. A housing complaint handled by the city housing bureau: the 60-day handling clock runs.
        await Step("XF-DEMO-0001", 1, "c-registrar", Register("XF-DEMO-0001", "c-registrar", "c-bureau", now, Category.Complaint,
            "小区电梯长期停运，物业不予维修", "housing:elevator:linchuan-garden"), ct);
        await Step("XF-DEMO-0001", 2, "c-registrar", new RouteCase("c-registrar", RoutingKind.Forward, "c-housing"), ct);
        await Step("XF-DEMO-0001", 3, "c-housing-officer", new AcceptCase("c-housing-officer"), ct);

        // 2. Registered but not yet routed: the 15-day routing clock turns yellow, orange, then red.
        await Step("XF-DEMO-0002", 1, "c-registrar", Register("XF-DEMO-0002", "c-registrar", "c-bureau", now, Category.Complaint,
            "拖欠农民工工资", "wages:construction-site-7"), ct);

        // 3. An accusation against the county natural-resources bureau, routed to discipline inspection; the accused
        //    unit can never see it (the routing rules refuse it, and no query or alert reaches it).
        await Step("XF-DEMO-0003", 1, "ca-registrar", Register("XF-DEMO-0003", "ca-registrar", "ca-bureau", now, Category.Accusation,
            "反映土地审批中收受好处", "land:approval:plot-12", accusedUnit: "ca-land"), ct);
        await Step("XF-DEMO-0003", 2, "ca-registrar", new ReferOut("ca-registrar", ReferralChannel.DisciplineInspection, "检举控告移交纪检监察机关", "ca-cdi"), ct);

        // 4. Assigned (交办) with a bureau-set deadline and a completion report.
        await Step("XF-DEMO-0004", 1, "c-registrar", Register("XF-DEMO-0004", "c-registrar", "c-bureau", now, Category.Complaint,
            "社保待遇核定有误", "social-security:pension:recalc"), ct);
        var due = LegalCalendarDue(now, 20);
        await Step("XF-DEMO-0004", 2, "c-registrar", new RouteCase("c-registrar", RoutingKind.Assign, "c-hrss", due), ct);
    }

    private static LocalDate LegalCalendarDue(Instant now, int days) =>
        Domain.Calendar.LegalCalendar.LocalDateOf(now).PlusDays(days);

    private static RegisterCase Register(
        string caseId, string actor, string unit, Instant at, Category category, string summary, string matter, string? accusedUnit = null) =>
        new(actor, caseId, QueryCode: "DEMO" + caseId[^4..], Channel.Letter, at, unit,
            new Petitioner("示范信访人"), summary, matter, Category: category, AccusedUnitId: accusedUnit);

    private async Task Step(string caseId, int n, string actor, CaseCommand command, CancellationToken ct)
    {
        var result = await cases.SendAsync(caseId, command, $"demo:{caseId}:{n}", actor, create: n == 1, ct);
        if (result.Outcome?.Rejection is { } r)
        {
            logger.LogWarning("Demo step {Case}/{Step} was refused: {Reason}", caseId, n, r.Reason);
        }
        else if (result.Outcome is null)
        {
            throw new TimeoutException($"Demo step {caseId}/{n} was not recorded in time.");
        }
    }
}
