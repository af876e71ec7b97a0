using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NodaTime;
using Supervision.Runtime.TestKit;

namespace Supervision.Runtime.Tests;

/// <summary>The standalone hosted services run on the injected clock: a fake clock drives them without sleeping.</summary>
public sealed class HostingTests
{
    [Fact]
    public async Task Sweeper_and_worker_services_fire_a_timer_when_the_injected_clock_reaches_it()
    {
        using var h = await RuntimeHarness.CreateAsync(configure: o =>
        {
            o.SweepInterval = TimeSpan.FromMinutes(1);
            o.PollInterval = TimeSpan.FromSeconds(10);
        });
        var due = RuntimeHarness.Start.AddHours(6);
        await h.SendAsync("hosted", new SetDeadline(Instant.FromDateTimeOffset(due), 1), "set");

        var options = h.Get<IOptions<RuntimeOptions>>();
        using var sweeper = new SweeperService(h.Sweeper, h.Clock, options, NullLogger<SweeperService>.Instance);
        using var worker = new WorkerService(h.Get<WorkQueuePump>(), h.Clock, options, NullLogger<WorkerService>.Instance);
        await ((IHostedService)sweeper).StartAsync(CancellationToken.None);
        await ((IHostedService)worker).StartAsync(CancellationToken.None);
        try
        {
            // Just before the due time nothing fires, however often the services tick.
            h.Clock.SetUtcNow(due.AddMinutes(-2));
            for (var i = 0; i < 3; i++)
            {
                h.Clock.Advance(TimeSpan.FromSeconds(30));
            }

            Assert.Equal("pending", (await h.StateAsync("hosted"))!.Status);

            // Past it, the services' own timers (on the fake clock) sweep and work; the bound is real time because
            // the queue and Azurite are real.
            var bound = Stopwatch.StartNew();
            while ((await h.StateAsync("hosted"))!.Status != "fired")
            {
                Assert.True(bound.Elapsed < TimeSpan.FromSeconds(20), "the hosted services did not fire the timer");
                h.Clock.Advance(TimeSpan.FromSeconds(10));
                await Task.Delay(50);
            }

            var fired = (await h.Ops.ListEventsAsync(DeadlineDecider.Type, "hosted")).Single(e => e.EventType == nameof(DeadlineFired));
            Assert.Equal(due, fired.At);
        }
        finally
        {
            await ((IHostedService)sweeper).StopAsync(CancellationToken.None);
            await ((IHostedService)worker).StopAsync(CancellationToken.None);
        }
    }
}
