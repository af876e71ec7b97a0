using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Supervision.Api.Cases;
using Supervision.Api.Tests.Cases;
using Xunit.Abstractions;

namespace Supervision.Api.Tests.Hardening;

/// <summary>
/// Issue 15.4: a flood of bad requests from several concurrent clients over real loopback Kestrel, while a probe keeps
/// asking <c>/health/ready</c> and sending valid registrations. Every refusal is a 4xx problem+json (400, or 429 once a
/// client has too many requests in progress), health never fails and every probe is answered within the client's
/// timeout, and the refused requests write nothing. Latencies are reported, not asserted (the box is shared).
/// </summary>
public sealed class FloodTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Start = new(2025, 9, 10, 1, 0, 0, TimeSpan.Zero);
    private const int BadRequests = 2000;
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_flood_of_bad_requests_is_refused_cheaply_while_health_and_a_valid_command_keep_answering()
    {
        var errors = new ErrorCounter();
        await using var app = await CaseApp.StartAsync(Start, kestrel: true, speed: 1, services: s => s.AddSingleton<ILoggerProvider>(errors), settings: new Dictionary<string, string>
        {
            // The per-client limit is what a flooding client hits; the windows are out of the way so that it shows.
            ["Supervision:Api:PerClientConcurrency"] = "1",
            ["Supervision:Api:StaffPerUser"] = "1000000",
            ["Supervision:Api:PetitionerPerClient"] = "1000000",
            ["Supervision:Commands:Wait"] = "00:00:05",
        });
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 256 };
        HttpClient Client(string? user, TimeSpan timeout)
        {
            var c = new HttpClient(handler, disposeHandler: false) { BaseAddress = app.Address, Timeout = timeout };
            if (user is not null)
            {
                c.DefaultRequestHeaders.Add("X-Supervision-User", user);
            }

            return c;
        }

        using var registrar = Client("c-registrar", TimeSpan.FromSeconds(60));
        var seedId = await CaseApp.EventuallyAsync<string>(async () =>
        {
            // The engine's first episode can outlast the short command wait: retry the same registration until applied.
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/cases", UriKind.Relative))
            {
                Content = JsonContent.Create(new
                {
                    channel = "Letter",
                    receivedAt = Cases.Api.Utc(Start),
                    unitId = "c-bureau",
                    petitioner = new { name = "张三" },
                    summary = "电梯停运",
                    matterKey = "housing:elevator",
                    category = "Complaint",
                }),
            };
            request.Headers.Add(CaseEndpoints.IdempotencyHeader, "flood-seed");
            using var response = await registrar.SendAsync(request);
            return response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK ? (string?)(await response.JsonAsync())["case"]!["id"] : null;
        }, "the seed registration");
        var services = app.Services.GetRequiredService<CaseServices>();
        var version = (await services.GetAsync(seedId, CancellationToken.None))!.Version;

        // Bad bodies the issue names, and plainly broken ones.
        (string Path, byte[] Body)[] bad =
        [
            ($"/api/cases/{seedId}/approve-extension", Ascii("{\"days\":\"\\ud800\",\"reason\":\"x\",\"petitionerToldOn\":\"2025-09-10\"}")),
            ($"/api/cases/{seedId}/review-opinion", Ascii("{\"outcome\":\"Support\",\"opinionFile\":\"x\",\"digest\":\"\\udc00\"}")),
            ($"/api/cases/{seedId}/classify", Ascii("{\"category\":")),
            ("/api/cases", Ascii("{\"channel\":\"Letter\",\"receivedAt\":\"2025-09-10T01:00:00Z\",\"unitId\":\"c-bureau\",\"petitioner\":{\"name\":\"x\"},\"summary\":\"x\",\"matterKey\":\"m\",\"accusedUnitId\":\"\\ud800\"}")),
            ("/api/tickets", Ascii($"{{\"caseId\":\"{seedId}\",\"agencyId\":\"c-housing\",\"ground\":\"Stalling\",\"bureauId\":\"\\ud800\"}}")),
            ("/api/joint-assignments", [.. Ascii($"{{\"caseId\":\"{seedId}\",\"arrangement\":{{\"leadAgencyId\":\""), 0xED, 0xA0, 0x80, .. Ascii("\",\"leadDueDate\":\"2025-10-10\",\"coHandlers\":[]}}")]),
            ($"/api/petitioner/cases/{seedId}/rate", Ascii("{\"rating\":\"\\ud800\"}")),
            ("/api/tickets/DB-x/respond", Ascii("{\"report\":\"\\ud800\",\"files\":[]}")),
        ];

        var errorsBefore = errors.Count;
        var statuses = new ConcurrentDictionary<int, int>();
        var wrong = new ConcurrentQueue<string>();
        var next = -1;
        var flooders = new[] { "c-registrar", "c-supervisor", "c-housing-officer", "ca-land-head", null }
            .SelectMany(user => Enumerable.Range(0, 8).Select(_ => user)) // eight loops per client: more than its one permit
            .Select(async user =>
            {
                using var client = Client(user, TimeSpan.FromSeconds(60));
                if (user is null)
                {
                    client.DefaultRequestHeaders.Add(CaseEndpoints.QueryCodeHeader, "0000000000");
                }

                while (Interlocked.Increment(ref next) < BadRequests)
                {
                    var (path, body) = bad[next % bad.Length];
                    if (user is null)
                    {
                        path = $"/api/petitioner/cases/{seedId}/rate";
                    }

                    using var content = new ByteArrayContent(body);
                    content.Headers.ContentType = new("application/json");
                    using var response = await client.PostAsync(new Uri(path, UriKind.Relative), content);
                    var status = (int)response.StatusCode;
                    statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
                    if (status is not (400 or 429) || response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                    {
                        wrong.Enqueue($"{status} {response.Content.Headers.ContentType?.MediaType} for {path}: {await response.Content.ReadAsStringAsync()}");
                    }
                }
            })
            .ToList();
        var flood = Task.WhenAll(flooders);

        // The probes, while the flood runs: health every 20 ms, and valid registrations (another person, another bureau)
        // one after another; both go on until the flood is over and a few registrations were answered.
        using var health = Client(null, ProbeTimeout);
        using var prober = Client("ca-registrar", ProbeTimeout);
        var healthMs = new ConcurrentQueue<double>();
        var commandMs = new ConcurrentQueue<double>();
        var probeFailures = new ConcurrentQueue<string>();
        bool Done() => flood.IsCompleted && commandMs.Count >= 3;
        var healthProbe = Task.Run(async () =>
        {
            while (!Done())
            {
                var watch = Stopwatch.StartNew();
                try
                {
                    using var response = await health.GetAsync(new Uri("/health/ready", UriKind.Relative));
                    healthMs.Enqueue(watch.Elapsed.TotalMilliseconds);
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        probeFailures.Enqueue($"/health/ready answered {(int)response.StatusCode}");
                    }
                }
                catch (Exception e) when (e is TaskCanceledException or HttpRequestException)
                {
                    probeFailures.Enqueue($"/health/ready: no answer within {ProbeTimeout.TotalSeconds} s ({e.GetType().Name})");
                }

                await Task.Delay(20);
            }
        });
        var commandProbe = Task.Run(async () =>
        {
            var probe = 0;
            while (!Done())
            {
                var watch = Stopwatch.StartNew();
                try
                {
                    using var response = await prober.PostAsJsonAsync("/api/cases", new
                    {
                        channel = "Visit",
                        receivedAt = Cases.Api.Utc(app.Now),
                        unitId = "ca-bureau",
                        petitioner = new { name = "李四" },
                        summary = "道路破损",
                        matterKey = $"roads:probe-{probe++}",
                        category = "Complaint",
                    });
                    commandMs.Enqueue(watch.Elapsed.TotalMilliseconds);

                    // Applied (201), or accepted and still pending (202) when the engine is slow on this shared box.
                    if (response.StatusCode is not (HttpStatusCode.Created or HttpStatusCode.Accepted))
                    {
                        probeFailures.Enqueue($"valid registration answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                    }
                }
                catch (Exception e) when (e is TaskCanceledException or HttpRequestException)
                {
                    probeFailures.Enqueue($"valid registration: no answer within {ProbeTimeout.TotalSeconds} s ({e.GetType().Name})");
                }

                await Task.Delay(100);
            }
        });

        await Task.WhenAll(healthProbe, commandProbe);
        await flood;
        output.WriteLine($"flood: {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}");
        output.WriteLine($"health: {healthMs.Count} probes, median {Percentile(healthMs, 0.5):0.0} ms, p99 {Percentile(healthMs, 0.99):0.0} ms, max {healthMs.DefaultIfEmpty().Max():0.0} ms");
        output.WriteLine($"valid registrations: {commandMs.Count}, median {Percentile(commandMs, 0.5):0} ms, max {commandMs.DefaultIfEmpty().Max():0} ms");

        // A refusal throws nothing and logs no error (each 500 used to log a stack trace; with the console logger waiting
        // on a slow console, that is what held up every request, health included).
        Assert.True(errors.Count == errorsBefore, $"{errors.Count - errorsBefore} errors logged during the flood, e.g. {errors.First}");
        Assert.True(wrong.IsEmpty, $"{wrong.Count} refusals were not 400/429 problem+json, e.g.:\n{string.Join("\n", wrong.Take(10))}");
        Assert.Equal(BadRequests, statuses.Values.Sum());
        Assert.True(statuses.GetValueOrDefault(400) > 0 && statuses.GetValueOrDefault(429) > 0, "both the reader and the per-client limit refused requests");
        Assert.True(probeFailures.IsEmpty, string.Join("\n", probeFailures.Take(20)));
        Assert.True(!healthMs.IsEmpty && commandMs.Count >= 3);
        Assert.Equal(version, (await services.GetAsync(seedId, CancellationToken.None))!.Version); // the refused commands wrote nothing
    }

    /// <summary>Counts errors logged by the request pipeline (ASP.NET Core and the API).</summary>
    private sealed class ErrorCounter : ILoggerProvider
    {
        private int count;

        public int Count => Volatile.Read(ref count);

        public string? First { get; private set; }

        public ILogger CreateLogger(string categoryName) => new Counter(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Counter(ErrorCounter owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (logLevel >= LogLevel.Error && (category.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) || category.StartsWith("Supervision.Api", StringComparison.Ordinal)))
                {
                    owner.First ??= $"{category}: {formatter(state, exception)} {exception?.GetType().Name}";
                    Interlocked.Increment(ref owner.count);
                }
            }
        }
    }

    private static byte[] Ascii(string text) => Encoding.UTF8.GetBytes(text);

    private static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.Order().ToList();
        if (sorted.Count == 0)
        {
            return 0;
        }

        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }
}
