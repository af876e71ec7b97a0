using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Supervision.Domain.Orchestration;
using Supervision.Orchestrations;
using Supervision.Testing;

namespace Supervision.Orchestrations.Tests;

/// <summary>Alerts are worded when delivered: a warning delivered after its deadline says it has passed.</summary>
public sealed class AlertDeliveryTests
{
    private static readonly Instant Due = Instant.FromUtc(2025, 11, 10, 16, 0);

    private static Alert Warning() => new(
        "deadline.warning", "【预警】信访事项 XF-1 办理期限", "信访事项 XF-1 的办理期限将于 2025-11-10 届满。",
        [new AlertAudience("agency-head", "c-housing")], AlertUrgency.Routine, "/cases/XF-1", CaseId: "XF-1",
        Deadline: new AlertDeadline("handling", "办理期限", "《信访工作条例》第三十四条", new LocalDate(2025, 11, 10), Due, AlertLevel.Warning));

    private static async Task<MailboxItem> DeliverAtAsync(DateTimeOffset legalNow)
    {
        var connection = await TestStorage.GetConnectionStringAsync();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new MappedTimeProvider(new ClockMapping(legalNow, Clocks.Wall.GetUtcNow(), 1)));
        services.AddSingleton<IDurableEngine>(_ => throw new InvalidOperationException("no engine needed"));
        services.AddSupervisionOrchestrations(o =>
        {
            o.ConnectionString = connection;
            o.Prefix = TestStorage.UniqueName("ad");
        });
        await using var provider = services.BuildServiceProvider();
        var codec = provider.GetRequiredService<EffectCodec>();
        var (kind, data) = codec.Encode(new RaiseAlert(Warning()));
        var activities = new Activities(
            provider.GetRequiredService<DecisionStore>(), provider.GetRequiredService<ReadModelWriter>(), provider.GetRequiredService<IAlertSink>(),
            provider.GetRequiredService<IAlertRouter>(), null!, provider.GetRequiredService<OrchestrationStorage>(), provider.GetRequiredService<StorageMetrics>(), provider.GetRequiredService<Clocks>(),
            provider.GetRequiredService<OrchestrationRegistry>(), provider.GetRequiredService<EffectCodec>());
        await activities.DeliverAlertAsync(new AlertDispatch("case/XF-1/7/0", "case", "XF-1", new EffectEnvelope("case/XF-1/7/0", kind, data)));
        return Assert.Single(await provider.GetRequiredService<LocalMailbox>().ListAsync("agency-head", "c-housing"));
    }

    [Fact]
    public async Task A_warning_delivered_before_its_deadline_says_it_will_fall_due()
    {
        var item = await DeliverAtAsync(Due.ToDateTimeOffset() - TimeSpan.FromDays(6));

        Assert.Contains("将于", item.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("已于", item.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_warning_delivered_after_an_outage_past_its_deadline_says_it_has_passed()
    {
        var item = await DeliverAtAsync(Due.ToDateTimeOffset() + TimeSpan.FromDays(3));

        Assert.Contains("已于 2025-11-10 届满", item.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("将于", item.Body, StringComparison.Ordinal);
    }
}
