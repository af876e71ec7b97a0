using System.Text.Json;
using System.Text.Json.Nodes;
using Supervision.Functions.Triggers;
using static Supervision.Functions.Tests.HostContract;

namespace Supervision.Functions.Tests;

/// <summary>The payload reader on its own, including the HTTP-trigger capture (sent only when forwarding is off).</summary>
public sealed class HostPayloadTests
{
    [Fact]
    public void Http_capture_without_forwarding_is_read_with_query_as_an_object()
    {
        using var doc = JsonDocument.Parse(Capture("http-no-forwarding.json"));
        var payload = HostPayload.Parse(doc);

        var req = HostPayload.ReadHttpRequest(payload.Binding("req", "api"), "Data.req");

        Assert.Equal("https://app.azurewebsites.net/api/hello/x", req.Url);
        Assert.Equal("POST", req.Method);
        Assert.Empty(req.Query);
        Assert.Empty(req.Params);
        Assert.Equal(["application/x-www-form-urlencoded"], req.Headers["content-type"]);
        Assert.Equal(["1.2.3.4:41856"], req.Headers["X-Forwarded-For"]);
        Assert.Equal("Jack", req.Body);
    }

    [Theory]
    [InlineData("{}", 0)]
    [InlineData("""{"caseId":"c1","page":"2"}""", 2)]
    [InlineData("caseId=c1&page=2", 2)]
    [InlineData("?caseId=c1&page=2", 2)]
    public void Http_capture_query_may_be_a_json_string(string query, int count)
    {
        var node = CaptureNode("http-no-forwarding.json");
        node["Data"]!["req"]!["Query"] = query;
        using var doc = JsonDocument.Parse(node.ToJsonString());

        var req = HostPayload.ReadHttpRequest(HostPayload.Parse(doc).Binding("req", "api"), "Data.req");

        Assert.Equal(count, req.Query.Count);
        if (count > 0)
        {
            Assert.Equal("c1", req.Query["caseId"]);
            Assert.Equal("2", req.Query["PAGE"]);
        }
    }

    [Fact]
    public void Http_query_object_values_are_read()
    {
        var node = CaptureNode("http-no-forwarding.json");
        node["Data"]!["req"]!["Query"] = new JsonObject { ["caseId"] = "c1", ["tag"] = new JsonArray("a", "b") };
        using var doc = JsonDocument.Parse(node.ToJsonString());

        var req = HostPayload.ReadHttpRequest(HostPayload.Parse(doc).Binding("req", "api"), "Data.req");

        Assert.Equal("c1", req.Query["caseId"]);
        Assert.Equal("a,b", req.Query["tag"]);
    }

    [Theory]
    [InlineData("42")]
    [InlineData("{bad")]
    public void Http_query_of_the_wrong_kind_is_refused_with_its_field_name(string queryJson)
    {
        var node = CaptureNode("http-no-forwarding.json");
        node["Data"]!["req"]!["Query"] = queryJson == "42" ? JsonValue.Create(42) : JsonValue.Create(queryJson);
        using var doc = JsonDocument.Parse(node.ToJsonString());

        var e = Assert.Throws<HostPayloadException>(() => HostPayload.ReadHttpRequest(HostPayload.Parse(doc).Binding("req", "api"), "Data.req"));

        Assert.Contains("Data.req.Query", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"\\\"aaaaa\\\"\"", "aaaaa")]            // the capture: a JSON string holding a JSON string literal
    [InlineData("\"aaaaa\"", "aaaaa")]                    // a host that encoded only once
    [InlineData("\"\\\"a\\\" and \\\"b\\\"\"", "\"a\" and \"b\"")] // starts and ends with quotes but is not one literal
    [InlineData("{\"a\":1}", "{\"a\":1}")]                // a host that passed the JSON body as JSON
    [InlineData("\"\"", "")]
    public void Message_decoding_follows_the_rule(string dataMsgJson, string expected)
    {
        using var doc = JsonDocument.Parse(dataMsgJson);

        Assert.Equal(expected, HostPayload.DecodeMessage(doc.RootElement, "Data.msg"));
    }

    [Theory]
    [InlineData("1", 1)]
    [InlineData("\"1\"", 1)]
    [InlineData("\"\\\"5\\\"\"", 5)]
    [InlineData("12", 12)]
    public void Counts_may_be_numbers_or_strings(string json, long expected)
    {
        using var doc = JsonDocument.Parse(json);

        Assert.Equal(expected, HostPayload.ReadCount(doc.RootElement, "Metadata.DequeueCount"));
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("\" 1\"")]
    [InlineData("true")]
    [InlineData("\"\"")]
    public void Counts_that_are_not_whole_numbers_are_refused(string json)
    {
        using var doc = JsonDocument.Parse(json);

        Assert.Throws<HostPayloadException>(() => HostPayload.ReadCount(doc.RootElement, "Metadata.DequeueCount"));
    }
}
