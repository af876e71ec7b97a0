using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Supervision.Api;
using Supervision.Orchestrations;
using Supervision.Testing;

namespace Supervision.Api.Tests.Platform;

/// <summary>
/// The composed service's legal clock is the configured one, although the calendar's services register a default clock
/// before the composition does (a first-registration-wins clock once left every deadline timer in real time).
/// </summary>
public sealed class ClockCompositionTests
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
        builder.AddSupervisionApi();
        return builder.Build();
    }

    [Fact]
    public async Task The_configured_speed_and_start_are_the_legal_clock_of_every_consumer()
    {
        var start = new DateTimeOffset(2025, 9, 10, 1, 0, 0, TimeSpan.Zero);
        await using var app = Build(new()
        {
            ["Supervision:Clock:Speed"] = "86400",
            ["Supervision:Clock:Start"] = start.ToString("O"),
        });

        var clocks = app.Services.GetRequiredService<Clocks>();
        Assert.Equal(86400, clocks.Mapping.Speed);
        Assert.Equal(start, clocks.Mapping.LegalOrigin);
        Assert.Same(app.Services.GetRequiredService<TimeProvider>(), clocks.Legal);
        Assert.Same(Clocks.Wall, clocks.Real);

        var legalNow = clocks.Legal.GetUtcNow();
        Assert.InRange(legalNow, start, start.AddYears(1));
    }

    [Fact]
    public async Task Without_clock_settings_legal_time_is_real_time()
    {
        await using var app = Build([]);

        var clocks = app.Services.GetRequiredService<Clocks>();
        Assert.Equal(1, clocks.Mapping.Speed);
        var drift = clocks.Legal.GetUtcNow() - Clocks.Wall.GetUtcNow();
        Assert.InRange(drift, TimeSpan.FromMinutes(-1), TimeSpan.FromMinutes(1));
    }
}
