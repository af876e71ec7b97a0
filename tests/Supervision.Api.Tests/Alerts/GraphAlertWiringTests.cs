using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Supervision.Api.Alerts;
using Supervision.Api.Platform;
using Supervision.Orchestrations;
using Supervision.Testing;

namespace Supervision.Api.Tests.Alerts;

/// <summary>The composition picks the Graph sink only when <c>Supervision:Graph:Enabled</c> is true, and checks its settings.</summary>
public sealed class GraphAlertWiringTests
{
    private static WebApplication Build(Dictionary<string, string?> settings)
    {
        var dead = TestStorage.FreePort();
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(settings)
        {
            ["AzureWebJobsStorage"] = TestStorage.AzuriteConnectionString(dead, dead, dead),
            ["Supervision:Standalone"] = "false",
        });
        builder.AddSupervision();
        return builder.Build();
    }

    [Fact]
    public async Task Without_graph_settings_alerts_go_to_the_local_mailbox()
    {
        await using var app = Build([]);

        Assert.IsType<LocalMailbox>(app.Services.GetRequiredService<IAlertSink>());
    }

    [Fact]
    public async Task With_graph_enabled_alerts_go_through_the_graph_sink()
    {
        await using var app = Build(new()
        {
            ["Supervision:Graph:Enabled"] = "true",
            ["Supervision:Graph:SenderUserId"] = "alerts@supervision.example",
            ["Supervision:Graph:PublicAppUrl"] = "https://supervision.example",
        });

        Assert.IsType<GraphAlertSink>(app.Services.GetRequiredService<IAlertSink>());
        Assert.False(app.Services.GetRequiredService<IOptions<GraphAlertOptions>>().Value.Problems().Any());
    }

    [Fact]
    public async Task Graph_enabled_without_a_sender_or_public_url_is_refused()
    {
        await using var app = Build(new() { ["Supervision:Graph:Enabled"] = "true" });

        var error = Assert.Throws<OptionsValidationException>(() => app.Services.GetRequiredService<IOptions<GraphAlertOptions>>().Value);
        Assert.Contains("SenderUserId", error.Message, StringComparison.Ordinal);
    }
}
