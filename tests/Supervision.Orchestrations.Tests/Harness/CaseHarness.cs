using System.Diagnostics;
using System.Text.Json;
using Microsoft.DurableTask.Testing;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Supervision.Domain.Calendar;
using Supervision.Domain.Cases;
using Supervision.Domain.Org;
using Supervision.Testing;

namespace Supervision.Orchestrations.Tests.Harness;

/// <summary>
/// The case orchestration in the in-process Durable Task test host, with the real activities on Azurite (a unique table
/// prefix) and an accelerated legal clock: legal time runs <see cref="Speed"/> times faster than real time from
/// <see cref="Start"/>. Durable timers are real, so tests wait on the accelerated clock or for a condition, bounded.
/// </summary>
public sealed class CaseHarness : IAsyncDisposable
{
    /// <summary>Wednesday 2025-09-10, 09:00 Beijing time.</summary>
    /// <summary>
    /// The case decider and the types it talks to (a red case clock raises a ticket: a message to "ticket", whose
    /// command the effect codec serializes with that type's contract), on the demo org and the embedded calendar.
    /// </summary>
    public static void AddDemoDeciders(IServiceCollection collection)
    {
        collection.AddSingleton(OrchestrationRegistration.For(CaseDecider.Demo, CaseJson.Options));
        collection.AddSingleton(OrchestrationRegistration.For(
            new Supervision.Domain.Tickets.TicketDecider(LegalCalendar.Default, OrgDirectory.Demo, Supervision.Domain.Tickets.SupervisionPolicy.Default),
            Supervision.Domain.Tickets.TicketJson.Options));
        collection.AddSingleton(OrchestrationRegistration.For(
            new Supervision.Domain.JointAssignments.JointDecider(LegalCalendar.Default, OrgDirectory.Demo, Supervision.Domain.Tickets.SupervisionPolicy.Default),
            Supervision.Domain.JointAssignments.JointJson.Options));
    }

    public static readonly DateTimeOffset Start = new(2025, 9, 10, 1, 0, 0, TimeSpan.Zero);

    /// <summary>Four legal days per real second: a 60-day clock runs out in 15 s.</summary>
    public const double DefaultSpeed = 4 * 86_400;

    private static int cases;
    private readonly ServiceProvider services;
    private readonly DurableTaskTestHost host;

    private CaseHarness(ServiceProvider services, DurableTaskTestHost host, MappedTimeProvider clock)
    {
        this.services = services;
        this.host = host;
        Clock = clock;
    }

    public MappedTimeProvider Clock { get; }

    public double Speed => Clock.Mapping.Speed;

    public DateTimeOffset Now => Clock.GetUtcNow();

    public CommandGateway Gateway => services.GetRequiredService<CommandGateway>();

    public DecisionStore Store => services.GetRequiredService<DecisionStore>();

    public LocalMailbox Mailbox => services.GetRequiredService<LocalMailbox>();

    public OrchestrationStorage Storage => services.GetRequiredService<OrchestrationStorage>();

    public IDurableEngine Engine => services.GetRequiredService<IDurableEngine>();

    /// <summary>The activities themselves, to call one directly as a re-executing worker would.</summary>
    public Activities Activities => services.GetRequiredService<Activities>();

    public static async Task<CaseHarness> StartAsync(double speed = DefaultSpeed, TimeSpan? maximumTimerInterval = null)
    {
        var connection = await TestStorage.GetConnectionStringAsync();
        var prefix = TestStorage.UniqueName("o");
        MappedTimeProvider? clock = null;
        var engine = new TestHostEngine();
        var collection = new ServiceCollection();
        // Resolved lazily, so legal time starts at Start once the host is up (a slow start must not eat legal days).
        collection.AddSingleton<TimeProvider>(_ => clock ?? throw new InvalidOperationException("clock not started"));
        collection.AddSingleton<IDurableEngine>(engine);
        AddDemoDeciders(collection);
        collection.AddSupervisionOrchestrations(o =>
        {
            o.ConnectionString = connection;
            o.Prefix = prefix;
            o.LogEffectAttempts = true;
        });
        collection.Configure<CommandOptions>(o => o.Wait = TimeSpan.FromSeconds(30));
        var provider = collection.BuildServiceProvider();
        var catalog = provider.GetRequiredService<OrchestrationCatalog>();
        var host = await DurableTaskTestHost.StartAsync(
            registry => catalog.AddTo(registry),
            new DurableTaskTestHostOptions
            {
                Port = TestStorage.FreePort(),
                ConfigureServices = s =>
                {
                    if (maximumTimerInterval is { } max)
                    {
                        s.ConfigureAll<DurableTaskWorkerOptions>(o => o.MaximumTimerInterval = max);
                    }
                },
            });
        engine.Client = host.Client;
        clock = new MappedTimeProvider(new ClockMapping(Start, Clocks.Wall.GetUtcNow(), speed));
        return new CaseHarness(provider, host, clock);
    }

    /// <summary>Sends a command at the current legal instant through the gateway (as the API does); returns its envelope and result.</summary>
    public async Task<(CommandEnvelope Envelope, CommandResult Result)> SendAsync(string caseId, CaseCommand command, string? commandId = null, bool create = false)
    {
        var envelope = Envelope(command, commandId);
        var result = await Gateway.SendAsync(CaseDecider.Type, caseId, envelope, create, CancellationToken.None);
        return (envelope, result);
    }

    public CommandEnvelope Envelope(CaseCommand command, string? commandId = null) =>
        new(commandId ?? "cmd-" + Guid.NewGuid().ToString("N"), command.Actor, Now, JsonSerializer.Serialize(command, CaseJson.Options));

    /// <summary>Sends a command that must be applied; returns its outcome.</summary>
    public async Task<CommandOutcome> AppliedAsync(string caseId, CaseCommand command, bool create = false)
    {
        var (envelope, result) = await SendAsync(caseId, command, create: create);
        Assert.NotNull(result.Outcome);
        Assert.True(result.Outcome!.Status == CommandStatus.Applied, $"{command.Name}: {result.Outcome.Status} {result.Outcome.Rejection?.Reason}");
        Assert.Equal(envelope.At, result.Outcome.At);
        return result.Outcome;
    }

    /// <summary>Registers a complaint at the city petition bureau as the city registrar; returns (case id, query code).</summary>
    public async Task<(string Id, string QueryCode)> RegisterAsync(string matter = "housing:elevator", string petitioner = "张三")
    {
        var n = Interlocked.Increment(ref cases);
        var id = $"XF-T-{TestStorage.RunId}-{n}";
        var code = (1_000_000_000L + n).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await AppliedAsync(id, Register(id, code, Instant.FromDateTimeOffset(Now), matter, petitioner), create: true);
        return (id, code);
    }

    public static RegisterCase Register(string id, string code, Instant receivedAt, string matter = "housing:elevator", string petitioner = "张三") =>
        new("c-registrar", id, QueryCodes.Hash(code, System.Security.Cryptography.RandomNumberGenerator.GetBytes(QueryCodes.SaltBytes)), Channel.Letter, receivedAt, "c-bureau", new Petitioner(petitioner, Phone: "13800000000"), "电梯停运", matter,
            Category: Category.Complaint);

    public Task<IReadOnlyList<StoredEvent>> EventsAsync(string caseId) => Store.ReadEventsAsync(CaseDecider.Type, caseId);

    public async Task<CaseState> StateAsync(string caseId)
    {
        var snapshot = await Store.GetAsync(CaseDecider.Type, caseId) ?? throw new InvalidOperationException("no case " + caseId);
        return JsonSerializer.Deserialize<CaseState>(snapshot.StateJson, CaseJson.Options)!;
    }

    public static CaseEvent Event(StoredEvent e) => JsonSerializer.Deserialize<CaseEvent>(e.Data, CaseJson.Options)!;

    /// <summary>Polls the audit trail until an event matches (bounded).</summary>
    public async Task<StoredEvent> EventuallyAsync(string caseId, Func<StoredEvent, bool> match, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        var started = Stopwatch.StartNew();
        while (true)
        {
            if ((await EventsAsync(caseId)).FirstOrDefault(match) is { } found)
            {
                return found;
            }

            Assert.True(started.Elapsed < limit, $"Timed out after {limit.TotalSeconds:0} s waiting for: {what}");
            await Task.Delay(50);
        }
    }

    /// <summary>Waits (on the accelerated clock) until legal time reaches <paramref name="legal"/>.</summary>
    public async Task UntilAsync(DateTimeOffset legal)
    {
        var real = Clock.Mapping.ToReal(legal) - Clocks.Wall.GetUtcNow().UtcDateTime;
        if (real > TimeSpan.Zero)
        {
            await Task.Delay(real + TimeSpan.FromMilliseconds(5));
        }
    }

    public Task AdvanceAsync(TimeSpan legal) => UntilAsync(Now + legal);

    /// <summary>The local (Beijing) date of the legal now.</summary>
    public LocalDate Today => Supervision.Domain.Calendar.LegalCalendar.LocalDateOf(Instant.FromDateTimeOffset(Now));

    public async ValueTask DisposeAsync()
    {
        await host.DisposeAsync();
        await services.DisposeAsync();
    }
}
