using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Storage.Queues;
using Microsoft.AspNetCore.Mvc.Testing;
using Supervision.Runtime;
using Supervision.Testing;
using static Supervision.Functions.Tests.HostContract;

namespace Supervision.Functions.Tests;

/// <summary>
/// The custom-handler contract: the payloads the Functions host POSTs (PLATFORM.md §1.2, real captures in Payloads/)
/// and the answers it accepts (§1.3). The runtime is replaced by recording fakes: what is tested is the host edge.
/// </summary>
public sealed class TriggerEndpointTests : IClassFixture<WebApplicationFactory<Program>>
{
    private readonly WebApplicationFactory<Program> factory;
    private readonly RecordingSweeper sweeper = new();
    private readonly RecordingWorkProcessor processor = new();

    public TriggerEndpointTests(WebApplicationFactory<Program> factory) => this.factory = factory.WithFakes(sweeper, processor);

    [Fact]
    public async Task Timer_capture_runs_one_sweep_and_answers_in_the_handler_format()
    {
        sweeper.Then(() => new SweepResult(3, false));
        using var client = factory.CreateClient();

        var logs = await AssertHandlerResponseAsync(await PostAsync(client, "sweep", Capture("timer.json")));

        Assert.Single(sweeper.Calls);
        Assert.Empty(processor.Messages);
        Assert.Contains(logs, l => l.Contains("enqueued 3 work message(s) in 1 pass(es)", StringComparison.Ordinal));
        Assert.DoesNotContain(logs, l => l.Contains("past due", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sweep_repeats_while_the_sweeper_reports_more_due_and_stops_at_the_per_tick_cap()
    {
        for (var i = 0; i < 20; i++)
        {
            sweeper.Then(() => new SweepResult(100, true));
        }

        var timer = CaptureNode("timer.json");
        timer["Data"]!["timer"]!["IsPastDue"] = true;
        using var client = factory.CreateClient();

        var logs = await AssertHandlerResponseAsync(await PostAsync(client, "sweep", timer.ToJsonString()));

        Assert.Equal(10, sweeper.Calls.Count);
        Assert.Contains(logs, l => l.Contains("enqueued 1000 work message(s) in 10 pass(es)", StringComparison.Ordinal));
        Assert.Contains(logs, l => l.Contains("more due wake-ups remain", StringComparison.Ordinal));
        Assert.Contains(logs, l => l.Contains("past due", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sweep_stops_as_soon_as_nothing_remains()
    {
        sweeper.Then(() => new SweepResult(5, true)).Then(() => new SweepResult(2, false)).Then(() => new SweepResult(9, true));
        using var client = factory.CreateClient();

        var logs = await AssertHandlerResponseAsync(await PostAsync(client, "sweep", Capture("timer.json")));

        Assert.Equal(2, sweeper.Calls.Count);
        Assert.Contains(logs, l => l.Contains("enqueued 7 work message(s) in 2 pass(es)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failing_sweep_answers_500_problem_json()
    {
        sweeper.Then(() => throw new InvalidOperationException("tables unreachable"));
        using var client = factory.CreateClient();

        var problem = await AssertProblemAsync(await PostAsync(client, "sweep", Capture("timer.json")), HttpStatusCode.InternalServerError);

        Assert.Contains("tables unreachable", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Queue_capture_delivers_the_doubly_decoded_text_id_and_string_dequeue_count()
    {
        using var client = factory.CreateClient();

        var logs = await AssertHandlerResponseAsync(await PostAsync(client, "work", Capture("queue-string.json")));

        var message = Assert.Single(processor.Messages);
        Assert.Equal("aaaaa", message.Body);
        Assert.Equal("a0004923-f050-417a-9742-6d7c7b984134", message.QueueMessageId);
        Assert.Equal(1, message.DequeueCount);
        Assert.Empty(sweeper.Calls);
        Assert.Contains(logs, l => l.Contains("applied", StringComparison.Ordinal));
        Assert.DoesNotContain(logs, l => l.Contains("last delivery", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public async Task Numeric_dequeue_count_is_read_like_the_string_one(int count)
    {
        using var client = factory.CreateClient();

        await AssertHandlerResponseAsync(await PostAsync(client, "work", QueuePayload("hello", JsonValue.Create(count))));

        var message = Assert.Single(processor.Messages);
        Assert.Equal(count, message.DequeueCount);
        Assert.Equal("hello", message.Body);
    }

    [Fact]
    public async Task A_json_object_body_arriving_as_a_json_string_is_delivered_as_the_json_text()
    {
        const string body = """{"type":"timer","instance":"case/2026-000042","id":"w-1","note":"督办单 超期"}""";
        var payload = QueuePayload(body);
        Assert.Contains("\\\"{\\\\\\\"type\\\\\\\"", payload, StringComparison.Ordinal); // really double-encoded on the wire
        using var client = factory.CreateClient();

        await AssertHandlerResponseAsync(await PostAsync(client, "work", payload));

        Assert.Equal(body, Assert.Single(processor.Messages).Body);
    }

    [Fact]
    public async Task A_message_whose_text_is_itself_a_json_string_literal_keeps_its_quotes()
    {
        using var client = factory.CreateClient();

        await AssertHandlerResponseAsync(await PostAsync(client, "work", QueuePayload("\"quoted\"")));

        Assert.Equal("\"quoted\"", Assert.Single(processor.Messages).Body);
    }

    [Fact]
    public async Task A_base64_queue_message_from_the_sdk_arrives_as_the_original_text()
    {
        // Enqueue exactly as the runtime must (Base64), read the raw wire text as the host's queue listener does,
        // Base64-decode it (host.json messageEncoding: base64), then encode it as the host does for a custom handler.
        const string body = """{"instance":"case/2026-000042","id":"wake-7","reason":"期限届满"}""";
        var name = TestStorage.UniqueName("work");
        var connection = await TestStorage.GetConnectionStringAsync();
        var sender = new QueueClient(connection, name, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await sender.CreateAsync();
        try
        {
            await sender.SendMessageAsync(body);
            var raw = new QueueClient(connection, name, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
            var received = (await raw.ReceiveMessageAsync()).Value;
            var wire = received.Body.ToString();
            Assert.NotEqual(body, wire); // it really is Base64 on the queue
            var hostText = Encoding.UTF8.GetString(Convert.FromBase64String(wire));

            var payload = CaptureNode("queue-string.json");
            payload["Data"]!["msg"] = HostEncodes(hostText);
            payload["Metadata"]!["Id"] = HostEncodes(received.MessageId);
            payload["Metadata"]!["DequeueCount"] = received.DequeueCount.ToString(System.Globalization.CultureInfo.InvariantCulture);
            using var client = factory.CreateClient();

            await AssertHandlerResponseAsync(await PostAsync(client, "work", payload.ToJsonString()));

            var message = Assert.Single(processor.Messages);
            Assert.Equal(body, message.Body);
            Assert.Equal(received.MessageId, message.QueueMessageId);
            Assert.Equal(received.DequeueCount, message.DequeueCount);
        }
        finally
        {
            await sender.DeleteAsync();
        }
    }

    [Theory]
    [InlineData(WorkOutcome.Duplicate)]
    [InlineData(WorkOutcome.Stale)]
    [InlineData(WorkOutcome.DeadLettered)]
    public async Task Every_outcome_the_processor_returns_is_acknowledged_with_200(WorkOutcome outcome)
    {
        processor.Behaviour = _ => outcome;
        using var client = factory.CreateClient();

        var response = await PostAsync(client, "work", Capture("queue-string.json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var logs = await AssertHandlerResponseAsync(response);
        Assert.Contains(logs, l => l.Contains(outcome == WorkOutcome.DeadLettered ? "dead-lettered" : outcome.ToString().ToLowerInvariant(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_retryable_fault_answers_500_so_the_host_redelivers()
    {
        processor.Behaviour = _ => throw new TimeoutException("storage busy");
        using var client = factory.CreateClient();

        var problem = await AssertProblemAsync(await PostAsync(client, "work", QueuePayload("m", JsonValue.Create(2))), HttpStatusCode.InternalServerError);

        Assert.Single(processor.Messages);
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains("storage busy", detail, StringComparison.Ordinal);
        Assert.Contains("redelivers", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_last_delivery_is_noted_in_the_logs()
    {
        using var client = factory.CreateClient();

        var logs = await AssertHandlerResponseAsync(await PostAsync(client, "work", QueuePayload("m", JsonValue.Create("5"))));

        Assert.Contains(logs, l => l.Contains("DequeueCount 5 >= maxDequeueCount 5", StringComparison.Ordinal) && l.Contains("work-items-poison", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_fault_on_the_last_delivery_says_the_message_goes_to_the_poison_queue()
    {
        processor.Behaviour = _ => throw new TimeoutException("storage busy");
        using var client = factory.CreateClient();

        var problem = await AssertProblemAsync(await PostAsync(client, "work", QueuePayload("m", JsonValue.Create(6))), HttpStatusCode.InternalServerError);

        Assert.Contains("work-items-poison", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> MalformedPayloads => new()
    {
        { "work", "not json", "not JSON" },
        { "work", "[1,2]", "must be a JSON object" },
        { "work", """{"Metadata":{"DequeueCount":1}}""", "\"Data\" is missing" },
        { "work", """{"Data":"x","Metadata":{"DequeueCount":1}}""", "\"Data\" must be a JSON object" },
        { "work", """{"Data":{"message":"\"x\""},"Metadata":{"DequeueCount":1}}""", "\"Data.msg\" is missing" },
        { "work", """{"Data":{"msg":42},"Metadata":{"DequeueCount":1}}""", "\"Data.msg\" must be a JSON string" },
        { "work", """{"Data":{"msg":"\"x\""}}""", "\"Metadata.DequeueCount\" is missing" },
        { "work", """{"Data":{"msg":"\"x\""},"Metadata":{"DequeueCount":"one"}}""", "\"Metadata.DequeueCount\" must be a non-negative whole number" },
        { "work", """{"Data":{"msg":"\"x\""},"Metadata":{"DequeueCount":-1}}""", "\"Metadata.DequeueCount\" must be a non-negative whole number" },
        { "work", """{"Data":{"msg":"\"x\""},"Metadata":{"DequeueCount":0}}""", "must be at least 1" },
        { "work", """{"Data":{"msg":"\"x\""},"Metadata":{"DequeueCount":1,"Id":7}}""", "\"Metadata.Id\" must be a JSON string" },
        { "work", """{"Data":{"msg":"\"x\""},"Metadata":[1]}""", "\"Metadata\" must be a JSON object" },
        { "sweep", "{}", "\"Data\" is missing" },
        { "sweep", """{"Data":{}}""", "\"Data.timer\" is missing" },
        { "sweep", """{"Data":{"timer":"tick"}}""", "\"Data.timer\" must be the host's timer object" },
    };

    [Theory]
    [MemberData(nameof(MalformedPayloads))]
    public async Task Malformed_host_payloads_are_400_problem_json_and_nothing_is_processed(string function, string body, string reason)
    {
        using var client = factory.CreateClient();

        var problem = await AssertProblemAsync(await PostAsync(client, function, body), HttpStatusCode.BadRequest);

        Assert.Contains(reason, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(processor.Messages);
        Assert.Empty(sweeper.Calls);
    }

    [Theory]
    [InlineData("work", "\"Data.msg\" is missing")]
    [InlineData("sweep", "\"Data.timer\" is missing")]
    public async Task The_http_capture_sent_to_a_trigger_endpoint_is_refused_with_the_binding_it_lacks(string function, string reason)
    {
        using var client = factory.CreateClient();

        var problem = await AssertProblemAsync(await PostAsync(client, function, Capture("http-no-forwarding.json")), HttpStatusCode.BadRequest);

        Assert.Contains(reason, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(processor.Messages);
        Assert.Empty(sweeper.Calls);
    }

    [Fact]
    public async Task Property_names_are_matched_case_insensitively()
    {
        const string body = """{"data":{"MSG":"\"lower\""},"metadata":{"dequeuecount":2,"ID":"\"id-9\""}}""";
        using var client = factory.CreateClient();

        await AssertHandlerResponseAsync(await PostAsync(client, "work", body));

        var message = Assert.Single(processor.Messages);
        Assert.Equal("lower", message.Body);
        Assert.Equal("id-9", message.QueueMessageId);
        Assert.Equal(2, message.DequeueCount);
    }
}

/// <summary>The catch-all api function forwards outside requests at their original path: /work and /sweep must refuse them.</summary>
public sealed class ForwardedRequestTests : IClassFixture<WebApplicationFactory<Program>>
{
    private readonly WebApplicationFactory<Program> factory;
    private readonly RecordingSweeper sweeper = new();
    private readonly RecordingWorkProcessor processor = new();

    public ForwardedRequestTests(WebApplicationFactory<Program> factory) => this.factory = factory.WithFakes(sweeper, processor);

    public static TheoryData<string, string, string?> OutsideRequests => new()
    {
        // As the host forwards an internet request: every original header copied, the public Host included.
        { "work", "func-dev-abc.azurewebsites.net", "X-ARR-LOG-ID" },
        { "work", "func-dev-abc.azurewebsites.net", null },
        { "sweep", "func-dev-abc.azurewebsites.net", "X-Forwarded-For" },
        // Loopback Host but front-end headers: still forwarded.
        { "work", "127.0.0.1:7071", "X-ARR-LOG-ID" },
        { "sweep", "localhost", "X-Forwarded-For" },
    };

    [Theory]
    [MemberData(nameof(OutsideRequests))]
    public async Task A_forwarded_outside_request_to_a_trigger_endpoint_is_refused_and_nothing_runs(string function, string host, string? frontEndHeader)
    {
        using var client = factory.CreateClient();
        using var content = new StringContent(Capture(function == "work" ? "queue-string.json" : "timer.json"), System.Text.Encoding.UTF8, "application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/" + function, UriKind.Relative)) { Content = content };
        request.Headers.Host = host;
        request.Headers.Add("X-Azure-Functions-InvocationId", Guid.NewGuid().ToString()); // the host adds it to forwarded requests too
        if (frontEndHeader is not null)
        {
            request.Headers.Add(frontEndHeader, "1.2.3.4");
        }

        var problem = await AssertProblemAsync(await client.SendAsync(request), HttpStatusCode.Forbidden);

        Assert.Contains("Functions host", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(processor.Messages);
        Assert.Empty(sweeper.Calls);
    }

    [Theory]
    [InlineData("127.0.0.1:41234")]
    [InlineData("[::1]:41234")]
    [InlineData("localhost:7071")]
    public async Task The_hosts_own_loopback_call_is_accepted(string host)
    {
        using var client = factory.CreateClient();
        using var content = new StringContent(Capture("queue-string.json"), System.Text.Encoding.UTF8, "application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/work", UriKind.Relative)) { Content = content };
        request.Headers.Host = host;

        await AssertHandlerResponseAsync(await client.SendAsync(request));

        Assert.Equal("aaaaa", Assert.Single(processor.Messages).Body);
    }
}
