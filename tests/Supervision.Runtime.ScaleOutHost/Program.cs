using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Supervision.Runtime;
using Supervision.Runtime.TestKit;

// One scale-out host: the runtime's sweeper and workers as hosted services, the deadline test decider, the real
// clock. Usage: dotnet Supervision.Runtime.ScaleOutHost.dll <connection-string> <prefix>
// It stops when its standard input closes (the test holds the pipe), so no process is ever left behind.
if (args.Length < 2)
{
    await Console.Error.WriteLineAsync("usage: <connection-string> <prefix>");
    return 2;
}

var builder = Host.CreateApplicationBuilder();
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
builder.Services.AddSupervisionRuntime(o =>
    {
        o.ConnectionString = args[0];
        o.Prefix = args[1];
        o.SweepInterval = TimeSpan.FromMilliseconds(250);
        o.PollInterval = TimeSpan.FromMilliseconds(100);
        o.WorkerConcurrency = 8;
        o.VisibilityTimeout = TimeSpan.FromSeconds(20);
    })
    .AddOrchestration(new DeadlineDecider(), DeadlineDecider.Json)
    .AddStandaloneHosting();
using var host = builder.Build();
await host.StartAsync();
Console.WriteLine("ready");
await Console.In.ReadToEndAsync();
await host.StopAsync();
var metrics = host.Services.GetRequiredService<RuntimeMetrics>();
Console.WriteLine("requests " + metrics.StorageRequestTotal);
return 0;
