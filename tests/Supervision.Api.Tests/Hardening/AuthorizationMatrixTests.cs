using System.Net;
using System.Net.Http.Json;
using Supervision.Api.Tests.Cases;

namespace Supervision.Api.Tests.Hardening;

/// <summary>
/// Role × endpoint × relation to the case (own unit, other unit, accused unit): the exact status each promises. All
/// mismatches are reported together, so one run shows the whole matrix.
/// </summary>
public sealed class AuthorizationMatrixTests
{
    private static readonly DateTimeOffset Start = new(2025, 9, 10, 1, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Authorization_matrix_role_by_endpoint_by_own_other_and_accused_unit()
    {
        await using var app = await CaseApp.StartAsync(Start, speed: 1);

        // A complaint at the city bureau (own unit: c-bureau people; other unit: a county's), and an accusation at county A's
        // bureau against its land bureau (accused unit: ca-land people).
        var (complaint, complaintCode) = await app.As("c-registrar").RegisterAsync(app.Now, matter: "matrix:complaint");
        var (accusation, _) = await app.As("ca-registrar").RegisterAsync(
            app.Now, matter: "matrix:accusation", category: "Accusation", unit: "ca-bureau", accusedUnit: "ca-land");

        var rows = new (string? User, string Method, string Path, object? Body, HttpStatusCode Expected)[]
        {
            // Case detail: own unit sees it; another county's staff, the accused unit and unknown people do not (404, not 403).
            ("c-registrar", "GET", $"/api/cases/{complaint}", null, HttpStatusCode.OK),
            ("c-supervisor", "GET", $"/api/cases/{complaint}", null, HttpStatusCode.OK),
            ("cb-registrar", "GET", $"/api/cases/{complaint}", null, HttpStatusCode.NotFound),
            ("c-housing-officer", "GET", $"/api/cases/{complaint}", null, HttpStatusCode.NotFound),
            ("stranger", "GET", $"/api/cases/{complaint}", null, HttpStatusCode.NotFound),
            (null, "GET", $"/api/cases/{complaint}", null, HttpStatusCode.Unauthorized),
            ("ca-registrar", "GET", $"/api/cases/{accusation}", null, HttpStatusCode.OK),
            ("ca-land-officer", "GET", $"/api/cases/{accusation}", null, HttpStatusCode.NotFound),
            ("ca-land-head", "GET", $"/api/cases/{accusation}", null, HttpStatusCode.NotFound),
            ("cb-registrar", "GET", $"/api/cases/{accusation}", null, HttpStatusCode.NotFound),

            // Lists: people in the directory get 200 (scoped); unknown people 403; no sign-in 401.
            ("c-registrar", "GET", "/api/cases", null, HttpStatusCode.OK),
            ("ca-land-head", "GET", "/api/cases", null, HttpStatusCode.OK),
            ("stranger", "GET", "/api/cases", null, HttpStatusCode.Forbidden),
            (null, "GET", "/api/cases", null, HttpStatusCode.Unauthorized),

            // The repeat analysis: oversight roles (scoped) and admins; other staff and unknown people 403; no sign-in 401.
            ("c-leader", "GET", "/api/analysis/repeats?month=2025-09", null, HttpStatusCode.OK),
            ("ca-supervisor", "GET", "/api/analysis/repeats?month=2025-09", null, HttpStatusCode.OK),
            ("admin", "GET", "/api/analysis/repeats?month=2025-09", null, HttpStatusCode.OK),
            ("c-registrar", "GET", "/api/analysis/repeats?month=2025-09", null, HttpStatusCode.Forbidden),
            ("ca-land-head", "GET", "/api/analysis/repeats?month=2025-09", null, HttpStatusCode.Forbidden),
            ("stranger", "GET", "/api/analysis/repeats?month=2025-09", null, HttpStatusCode.Forbidden),
            (null, "GET", "/api/analysis/repeats?month=2025-09", null, HttpStatusCode.Unauthorized),

            // The analysis (分析研判, A21): the same audience as the repeat analysis.
            ("c-leader", "GET", "/api/analysis?month=2025-09", null, HttpStatusCode.OK),
            ("ca-supervisor", "GET", "/api/analysis?month=2025-09&format=csv", null, HttpStatusCode.OK),
            ("admin", "GET", "/api/analysis?month=2025-09&format=xlsx", null, HttpStatusCode.OK),
            ("c-registrar", "GET", "/api/analysis?month=2025-09", null, HttpStatusCode.Forbidden),
            ("stranger", "GET", "/api/analysis?month=2025-09", null, HttpStatusCode.Forbidden),
            (null, "GET", "/api/analysis?month=2025-09", null, HttpStatusCode.Unauthorized),
            ("c-leader", "GET", "/api/analysis?month=2025-13", null, HttpStatusCode.BadRequest),

            // Commands: other unit and accused unit cannot reach the case (404); own unit but a step it may not take → 403.
            ("cb-registrar", "POST", $"/api/cases/{complaint}/route", new { kind = "Forward", agencyId = "c-housing" }, HttpStatusCode.NotFound),
            ("ca-land-head", "POST", $"/api/cases/{accusation}/route", new { kind = "Forward", agencyId = "ca-housing" }, HttpStatusCode.NotFound),
            ("ca-registrar", "POST", $"/api/cases/{accusation}/route", new { kind = "Forward", agencyId = "ca-land" }, HttpStatusCode.Forbidden),

            // 领导包案 (O1): not a leader → 403; a leader of another county, and the accused unit, cannot reach the case (404).
            ("c-registrar", "POST", $"/api/cases/{complaint}/take-ownership", new { reason = "包案" }, HttpStatusCode.Forbidden),
            ("cb-leader", "POST", $"/api/cases/{complaint}/take-ownership", new { reason = "包案" }, HttpStatusCode.NotFound),
            ("ca-land-head", "POST", $"/api/cases/{accusation}/take-ownership", new { reason = "包案" }, HttpStatusCode.NotFound),

            // Query-code re-issue: a registrar of the case's bureau; not its supervisor, not another county, not the accused.
            ("c-supervisor", "POST", $"/api/cases/{complaint}/reissue-query-code", null, HttpStatusCode.Forbidden),
            ("cb-registrar", "POST", $"/api/cases/{complaint}/reissue-query-code", null, HttpStatusCode.NotFound),
            ("ca-land-head", "POST", $"/api/cases/{accusation}/reissue-query-code", null, HttpStatusCode.NotFound),
            ("ca-registrar", "POST", $"/api/cases/{accusation}/reissue-query-code", null, HttpStatusCode.OK),

            // Org directory: read by people in it and admins; edited by admins only (and then If-Match is required).
            ("c-registrar", "GET", "/api/org", null, HttpStatusCode.OK),
            ("stranger", "GET", "/api/org", null, HttpStatusCode.Forbidden),
            ("admin", "GET", "/api/org", null, HttpStatusCode.OK),
            ("c-registrar", "PUT", "/api/org/units/c-housing", new { id = "c-housing" }, HttpStatusCode.Forbidden),
            ("admin", "PUT", "/api/org/units/c-housing", new { id = "c-housing" }, HttpStatusCode.PreconditionRequired),
            ("c-registrar", "DELETE", "/api/org/people/c-supervisor", null, HttpStatusCode.Forbidden),

            // Operations: administrators only.
            ("c-supervisor", "GET", "/api/ops/instances", null, HttpStatusCode.Forbidden),
            ("admin", "GET", "/api/ops/instances", null, HttpStatusCode.OK),
            ("c-registrar", "POST", "/api/ops/readmodels/cases/rebuild", null, HttpStatusCode.Forbidden),
        };

        var mismatches = new List<string>();
        foreach (var (user, method, path, body, expected) in rows)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
            if (body is not null)
            {
                request.Content = JsonContent.Create(body);
            }

            using var response = await (user is null ? app.Anonymous() : app.As(user)).SendAsync(request);
            if (response.StatusCode != expected)
            {
                mismatches.Add($"{user ?? "anonymous"} {method} {path}: expected {(int)expected}, got {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        }

        // The petitioner: the right code sees the case; a wrong one gets the same 404 as an unknown case.
        Assert.Equal(HttpStatusCode.OK, (await app.Petitioner(complaintCode).GetAsync(new Uri($"/api/petitioner/cases/{complaint}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await app.Petitioner(complaintCode).GetAsync(new Uri($"/api/petitioner/cases/{accusation}", UriKind.Relative))).StatusCode);
        Assert.True(mismatches.Count == 0, string.Join(Environment.NewLine, mismatches));
    }
}
