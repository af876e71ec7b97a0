using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Supervision.Runtime;

namespace Supervision.Functions.Tests;

/// <summary>Records every call; answers with a scripted result or exception.</summary>
public sealed class RecordingSweeper : ISweeper
{
    private readonly Queue<Func<SweepResult>> script = new();

    public ConcurrentQueue<int> Calls { get; } = new();

    public RecordingSweeper Then(Func<SweepResult> next)
    {
        script.Enqueue(next);
        return this;
    }

    public Task<SweepResult> SweepAsync(CancellationToken cancellationToken)
    {
        Calls.Enqueue(Calls.Count + 1);
        return Task.FromResult(script.Count > 0 ? script.Dequeue()() : new SweepResult(0, false));
    }
}

/// <summary>Records every message it is given; answers with a fixed outcome or throws.</summary>
public sealed class RecordingWorkProcessor : IWorkProcessor
{
    public ConcurrentQueue<WorkMessage> Messages { get; } = new();

    public Func<WorkMessage, WorkOutcome> Behaviour { get; set; } = _ => WorkOutcome.Applied;

    public Task<WorkOutcome> ProcessAsync(WorkMessage message, CancellationToken cancellationToken)
    {
        Messages.Enqueue(message);
        return Task.FromResult(Behaviour(message));
    }
}

/// <summary>Builds host payloads and checks handler answers against PLATFORM.md §1.3.</summary>
public static class HostContract
{
    private static readonly JsonSerializerOptions NewtonsoftLike = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Capture(string file) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Payloads", file));

    public static JsonObject CaptureNode(string file) => JsonNode.Parse(Capture(file))!.AsObject();

    /// <summary>What the host does to a queue message text: <c>JsonConvert.SerializeObject(string)</c>, i.e. a JSON string literal.</summary>
    public static string HostEncodes(string messageText) => JsonSerializer.Serialize(messageText, NewtonsoftLike);

    /// <summary>The queue capture with another message text and dequeue count (the count kept as the capture's string unless given as a number).</summary>
    public static string QueuePayload(string messageText, JsonNode? dequeueCount = null)
    {
        var node = CaptureNode("queue-string.json");
        node["Data"]!["msg"] = HostEncodes(messageText);
        if (dequeueCount is not null)
        {
            node["Metadata"]!["DequeueCount"] = dequeueCount;
        }

        return node.ToJsonString(NewtonsoftLike);
    }

    public static WebApplicationFactory<Program> WithFakes(this WebApplicationFactory<Program> factory, ISweeper sweeper, IWorkProcessor processor) =>
        factory.WithWebHostBuilder(b => b.ConfigureTestServices(s =>
        {
            s.AddSingleton(sweeper);
            s.AddSingleton(processor);
        }));

    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, string function, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/" + function, UriKind.Relative)) { Content = content };
        request.Headers.Add("X-Azure-Functions-InvocationId", Guid.NewGuid().ToString());
        request.Headers.Add("X-Azure-Functions-HostVersion", "4.1040.300.0");
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("Azure-Functions-Host", "4.1040.300.0"));
        return await client.SendAsync(request);
    }

    /// <summary>Asserts the §1.3 rules and returns the Logs.</summary>
    public static async Task<IReadOnlyList<string>> AssertHandlerResponseAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"expected 2xx, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(text);
        var root = doc.RootElement;
        Assert.Equal(JsonValueKind.Object, root.ValueKind);
        Assert.Equal(["Outputs", "Logs", "ReturnValue"], root.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(JsonValueKind.Object, root.GetProperty("Outputs").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("ReturnValue").ValueKind);
        AssertNoBase64Strings(root.GetProperty("Outputs"));
        var logs = root.GetProperty("Logs");
        Assert.Equal(JsonValueKind.Array, logs.ValueKind);
        return logs.EnumerateArray().Select(l => l.GetString()!).ToArray();
    }

    public static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>The host decodes any non-binary string output that is valid base64 to bytes (§1.3): none may look like it.</summary>
    public static void AssertNoBase64Strings(JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.String:
                var s = e.GetString()!;
                Assert.False(Convert.TryFromBase64String(s, new byte[s.Length], out _), $"output string \"{s}\" is valid base64: the host would decode it to bytes");
                break;
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                {
                    AssertNoBase64Strings(p.Value);
                }

                break;
            case JsonValueKind.Array:
                foreach (var x in e.EnumerateArray())
                {
                    AssertNoBase64Strings(x);
                }

                break;
        }
    }
}
