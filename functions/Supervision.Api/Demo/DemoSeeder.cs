using NodaTime;
using Supervision.Api.Cases;
using Supervision.Domain.Backlog;
using Supervision.Domain.Cases;
using Supervision.Domain.JointAssignments;
using Supervision.Orchestrations;

namespace Supervision.Api.Demo;

/// <summary>
/// Demo data (<c>Supervision:Demo=true</c>): a few cases of the demo org at different stages, so a newcomer can watch
/// their lights change on the accelerated clock. Runs in the background after start-up (never blocking it), waits
/// for storage and the engine, and is idempotent across restarts: every command has a fixed id, applied at most once.
/// </summary>
public sealed class DemoSeeder(CaseServices cases, CommandGateway gateway, TimeProvider clock, ILogger<DemoSeeder> logger) : BackgroundService
{
    /// <summary>The demo case ids, for the README and tests.</summary>
    public static readonly string[] CaseIds = ["XF-DEMO-0001", "XF-DEMO-0002", "XF-DEMO-0003", "XF-DEMO-0004", "XF-DEMO-0005", "XF-DEMO-0006"];

    /// <summary>The joint assignment waiting for the conference office's approval.</summary>
    public const string JointAssignmentId = "LJ-XF-DEMO-0006-demo";

    /// <summary>The backlog (积案) 化解 campaign 郑国栋 leads; XF-DEMO-0002 joins it once its routing clock has lapsed.</summary>
    public const string CampaignId = "ZX-DEMO-0001";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await SeedAsync(stoppingToken);
                logger.LogInformation("Demo cases are in place: {Cases}", string.Join(", ", CaseIds));
                await JoinBacklogAsync(stoppingToken);
                return;
            }
            catch (Exception e) when (e is Azure.RequestFailedException or HttpRequestException or TimeoutException && attempt < 30)
            {
                // Storage may still be starting (Azurite next to us); this is a background task, so wait and retry.
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 5)), stoppingToken);
            }
        }
    }

    private readonly Dictionary<string, string> demoHashes = new(StringComparer.Ordinal);

    private async Task SeedAsync(CancellationToken ct)
    {
        var now = Instant.FromDateTimeOffset(clock.GetUtcNow());

        // 2. (Seeded first: its 15-day routing clock is 15 s at the demo clock, and a clock that starts late, on a loaded
        //    box, would count its lower levels as passed.) Registered but not yet routed: the routing clock turns
        //    yellow, orange, then red.
        await Step("XF-DEMO-0002", 1, "c-registrar", Register("XF-DEMO-0002", "c-registrar", "c-bureau", now, Category.Complaint,
            "拖欠农民工工资", "wages:construction-site-7"), ct);

        // 6. (Seeded next: its consent window is a few legal days, seconds at the demo clock.) A matter for two agencies:
        //    the joint assignment both have agreed to waits for the conference office (c-conf-staff).
        await Step("XF-DEMO-0006", 1, "c-registrar", Register("XF-DEMO-0006", "c-registrar", "c-bureau", now, Category.Complaint,
            "小区违建占用消防通道，住建与人社部门相互推诿", "housing:fire-lane:block-3"), ct);
        var today = Domain.Calendar.LegalCalendar.LocalDateOf(now);
        var arrangement = new JointArrangement("c-housing", today.PlusDays(45), [new CoHandlerDeadline("c-hrss", today.PlusDays(20))]);
        await Joint(1, "c-registrar", new ProposeJointAssignment("c-registrar", JointAssignmentId, "XF-DEMO-0006", "c-bureau", arrangement, Category.Complaint), ct);
        await Joint(2, "c-housing-officer", new ConsentToJointAssignment("c-housing-officer", "c-housing"), ct);
        await Joint(3, "c-hrss-officer", new ConsentToJointAssignment("c-hrss-officer", "c-hrss"), ct);

        // 1. A housing complaint handled by the city housing bureau: the 60-day handling clock runs.
        await Step("XF-DEMO-0001", 1, "c-registrar", Register("XF-DEMO-0001", "c-registrar", "c-bureau", now, Category.Complaint,
            "小区电梯长期停运，物业不予维修", "housing:elevator:linchuan-garden"), ct);
        await Step("XF-DEMO-0001", 2, "c-registrar", new RouteCase("c-registrar", RoutingKind.Forward, "c-housing"), ct);
        await Step("XF-DEMO-0001", 3, "c-housing-officer", new AcceptCase("c-housing-officer"), ct);

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

        // 5. Handled and answered: the petitioner rated the reply (the portal shows it; the 30-day review window runs).
        await Step("XF-DEMO-0005", 1, "c-registrar", Register("XF-DEMO-0005", "c-registrar", "c-bureau", now, Category.Suggestion,
            "建议增设社区养老服务站", "elderly-care:community-station"), ct);
        await Step("XF-DEMO-0005", 2, "c-registrar", new RouteCase("c-registrar", RoutingKind.Forward, "c-hrss"), ct);
        await Step("XF-DEMO-0005", 3, "c-hrss-officer", new AcceptCase("c-hrss-officer"), ct);
        await Step("XF-DEMO-0005", 4, "c-hrss-officer", new IssueReply("c-hrss-officer", Outcome.Support, "opinions/XF-DEMO-0005-reply.pdf"), ct);
        var petitioner = Actors.PetitionerFor(DemoCodeHash("XF-DEMO-0005"));
        await Step("XF-DEMO-0005", 5, petitioner, new RateHandling(petitioner, Rating.Satisfied, "答复及时"), ct);

        // 7. A leader's reception day (领导接访, R10–R12): the city bureau publishes 郑国栋's day 30 legal days ahead (half a
        //    minute at the demo clock); XF-DEMO-0001 is booked at the counter and XF-DEMO-0004 by its petitioner online.
        //    The reception's outcome: the leader owns XF-DEMO-0001 (领导包案, O1), which names him on its page and 督办单.
        var org = await cases.Org.GetAsync(ct);
        var (day, _, _, _) = Domain.Reception.ReceptionRules.Publish(
            org, Domain.Reception.ReceptionPolicy.Default, "c-registrar", "c-leader", today.PlusDays(30), "市信访局一楼接待大厅", new LocalTime(9, 0), 6, now);
        if (day is not null)
        {
            await ReceptionEndpoints.PublishDayAsync(day, "c-registrar", cases, ct);
            // Each booking also books its reminder (R13): a day before the slot, the leader and the bureau are told.
            foreach (var (slot, caseId, by) in new[] { (1, "XF-DEMO-0001", "registrar:c-registrar"), (2, "XF-DEMO-0004", "petitioner") })
            {
                if (await cases.GetAsync(caseId, ct) is { } booked && await ReceptionEndpoints.TakeSlotAsync(day, slot, booked.State, by, cases, ct) is { } refused)
                {
                    logger.LogWarning("Demo booking {Day}#{Slot} was refused: {Reason}", day.Id, slot, refused);
                }
            }

            await Step("XF-DEMO-0001", 4, "c-leader", new TakeOwnership("c-leader", "领导接访后包案，督促按期办结", ReceptionEndpoints.BookingId(day.Id, 1)), ct);
        }

        // 8. A backlog 化解 campaign (积案化解, B1) led by 郑国栋, run by the city bureau's supervisor, due in 90 days.
        await Campaign(1, "c-supervisor", new StartCampaign("c-supervisor", CampaignId, "信访积案化解专项工作", "c-bureau", "c-leader", today.PlusDays(90)), ct);

    }

    /// <summary>
    /// 8. (after seeding) XF-DEMO-0002 is left unrouted: once its 15-day routing clock has lapsed (about 15 s at the demo
    /// clock) it is backlog (超期未办结) and the supervisor lists it in the campaign, owned by 郑国栋, with 人社局 responsible
    /// for the wage arrears. Checked once a second (real time), so at any speed it joins when the law says it is late.
    /// </summary>
    private async Task JoinBacklogAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var now = Instant.FromDateTimeOffset(clock.GetUtcNow());
            if (await cases.GetAsync("XF-DEMO-0002", ct) is { } c && BacklogPolicy.Default.WhyBacklog(c.State, now) is { } why)
            {
                await Campaign(2, "c-supervisor", new AddBacklogCase("c-supervisor", "XF-DEMO-0002", "c-leader", "c-hrss", why, c.State.Category, c.State.AccusedUnitId, c.State.AccusedPersonId), ct);
                return;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), ct);
        }
    }

    private async Task Campaign(int n, string actor, CampaignCommand command, CancellationToken ct) =>
        Check(
            $"{CampaignId}/{n}",
            await gateway.SendAsync(
                CampaignDecider.Type, CampaignId,
                new CommandEnvelope($"demo:{CampaignId}:{n}", actor, clock.GetUtcNow(), System.Text.Json.JsonSerializer.Serialize(command, CampaignJson.Options)), create: n == 1, ct));

    private async Task Joint(int n, string actor, JointCommand command, CancellationToken ct) =>
        Check(
            $"{JointAssignmentId}/{n}",
            await gateway.SendAsync(
                JointDecider.Type, JointAssignmentId,
                new CommandEnvelope($"demo:{JointAssignmentId}:{n}", actor, clock.GetUtcNow(), JointJson.Serialize(command)), create: n == 1, ct));

    private static LocalDate LegalCalendarDue(Instant now, int days) =>
        Domain.Calendar.LegalCalendar.LocalDateOf(now).PlusDays(days);

    private RegisterCase Register(
        string caseId, string actor, string unit, Instant at, Category category, string summary, string matter, string? accusedUnit = null) =>
        new(actor, caseId, DemoCodeHash(caseId), Channel.Letter, at, unit,
            new Petitioner("示范信访人"), summary, matter, Category: category, AccusedUnitId: accusedUnit);

    /// <summary>The hash of a demo case's published code (<c>DEMO</c> + its last four digits), with a random salt drawn once.</summary>
    private string DemoCodeHash(string caseId)
    {
        lock (demoHashes)
        {
            if (!demoHashes.TryGetValue(caseId, out var hash))
            {
                hash = QueryCodes.Hash("DEMO" + caseId[^4..], System.Security.Cryptography.RandomNumberGenerator.GetBytes(QueryCodes.SaltBytes));
                demoHashes[caseId] = hash;
            }

            return hash;
        }
    }

    private async Task Step(string caseId, int n, string actor, CaseCommand command, CancellationToken ct) =>
        Check($"{caseId}/{n}", await cases.SendAsync(caseId, command, $"demo:{caseId}:{n}", actor, create: n == 1, ct));

    private void Check(string step, CommandResult result)
    {
        if (result.Outcome?.Rejection is { } r)
        {
            logger.LogWarning("Demo step {Step} was refused: {Reason}", step, r.Reason);
        }
        else if (result.Outcome is null)
        {
            throw new TimeoutException($"Demo step {step} was not recorded in time.");
        }
    }
}
