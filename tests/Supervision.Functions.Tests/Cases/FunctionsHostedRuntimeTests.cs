using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Supervision.Runtime;
using Supervision.Testing;
using static Supervision.Functions.Tests.HostContract;

namespace Supervision.Functions.Tests.Cases;

/// <summary>
/// The Azure hosting path with the real runtime: the Functions host's timer payload hits <c>/sweep</c>, which puts the
/// due wake-ups on the real work queue; each message, wrapped the way the host delivers it (Base64 decoded, then JSON
/// string-encoded again), hits <c>/work</c>, which decides. The case's reminder lands in its timeline; an admin sees
/// the same through the operations API.
/// </summary>
public sealed class FunctionsHostedRuntimeTests
{
    private static readonly DateTimeOffset Start = new(2025, 9, 10, 1, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Timer_and_queue_trigger_payloads_drive_a_case_timer_through_the_real_runtime()
    {
        await using var app = await CaseApp.StartAsync(Start);
        var registrar = app.As("c-registrar");
        var (id, _) = await registrar.RegisterAsync(Start);

        // 10 days on, the 15-day routing clock is past its reminder and its warning; nothing has fired because no trigger ran.
        // The two wake-ups are processed in queue order, and a reminder decided after the warning is superseded, so the
        // warning is the outcome that does not depend on order.
        app.Clock.Advance(TimeSpan.FromDays(10));
        var host = app.Anonymous();
        var swept = await AssertHandlerResponseAsync(await PostAsync(host, "sweep", Capture("timer.json")));
        Assert.NotEmpty(swept);

        var options = app.Services.GetRequiredService<IOptions<RuntimeOptions>>().Value;
        var queue = new QueueClient(await TestStorage.GetConnectionStringAsync(), options.WorkQueueName,
            new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        var delivered = 0;
        for (var round = 0; round < 20; round++)
        {
            var batch = (await queue.ReceiveMessagesAsync(16)).Value;
            if (batch.Length == 0)
            {
                break;
            }

            foreach (var m in batch)
            {
                await AssertHandlerResponseAsync(await PostAsync(host, "work", QueuePayload(m.MessageText)));
                await queue.DeleteMessageAsync(m.MessageId, m.PopReceipt);
                delivered++;
            }
        }

        Assert.True(delivered > 0, "the sweep should have queued the due wake-ups");
        var detail = await registrar.GetAsync(new Uri($"/api/cases/{id}", UriKind.Relative)).OkAsync();
        Assert.Contains("ClockWarningRaised", detail.EventTypes());

        var events = await app.As("admin").GetAsync(new Uri($"/api/ops/instances/case/{id}/events", UriKind.Relative)).OkAsync();
        Assert.Contains(events.AsArray(), e => (string)e!["eventType"]! == "ClockWarningRaised");
        var forbidden = await registrar.GetAsync(new Uri($"/api/ops/instances/case/{id}/events", UriKind.Relative));
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, forbidden.StatusCode);
    }
}
