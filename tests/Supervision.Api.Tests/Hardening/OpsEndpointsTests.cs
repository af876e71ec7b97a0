using System.Net;
using Supervision.Api.Tests.Cases;
using Supervision.Api.Tests.Oversight;

namespace Supervision.Api.Tests.Hardening;

/// <summary>
/// The administrators' instance operations check the instance before they touch the engine: a terminate, restart or
/// purge of an instance that does not exist, or is in the wrong state, is a 404 or 409 and sends nothing (a message to a
/// missing instance is never consumed cleanly: the engine retried it for as long as it ran, found by the fuzz).
/// </summary>
public sealed class OpsEndpointsTests
{
    private static readonly DateTimeOffset Start = new(2025, 9, 10, 1, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Terminate_restart_and_purge_answer_by_the_instance_state()
    {
        await using var app = await CaseApp.StartAsync(Start, speed: 1);
        var admin = app.As("admin");
        var (id, _) = await app.As("c-registrar").RegisterAsync(app.Now);

        async Task<HttpStatusCode> Send(HttpMethod method, string path)
        {
            using var response = await admin.SendAsync(new HttpRequestMessage(method, new Uri(path, UriKind.Relative)));
            if ((int)response.StatusCode >= 400)
            {
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }

            return response.StatusCode;
        }

        // No such instance: nothing is sent.
        const string Missing = "XF-20250910-00000000";
        Assert.Equal(HttpStatusCode.NotFound, await Send(HttpMethod.Post, $"/api/ops/instances/{Missing}/terminate"));
        Assert.Equal(HttpStatusCode.NotFound, await Send(HttpMethod.Post, $"/api/ops/instances/{Missing}/restart"));
        Assert.Equal(HttpStatusCode.NotFound, await Send(HttpMethod.Delete, $"/api/ops/instances/{Missing}"));
        Assert.Equal(HttpStatusCode.NotFound, await Send(HttpMethod.Get, $"/api/ops/instances/{Missing}"));

        // A running case: it is neither restarted nor purged; it is terminated, once.
        Assert.Equal(HttpStatusCode.Conflict, await Send(HttpMethod.Post, $"/api/ops/instances/{id}/restart"));
        Assert.Equal(HttpStatusCode.Conflict, await Send(HttpMethod.Delete, $"/api/ops/instances/{id}"));
        Assert.Equal(HttpStatusCode.Accepted, await Send(HttpMethod.Post, $"/api/ops/instances/{id}/terminate"));
        await CaseApp.EventuallyAsync(
            async () => (string?)(await admin.GetJsonAsync($"/api/ops/instances/{id}"))["runtimeStatus"] == "Terminated" ? "yes" : null,
            "the case terminated");
        Assert.Equal(HttpStatusCode.Conflict, await Send(HttpMethod.Post, $"/api/ops/instances/{id}/terminate"));

        // Ended: its history may be purged, and then it is gone.
        Assert.Equal(HttpStatusCode.NoContent, await Send(HttpMethod.Delete, $"/api/ops/instances/{id}"));
        Assert.Equal(HttpStatusCode.NotFound, await Send(HttpMethod.Get, $"/api/ops/instances/{id}"));
    }
}
