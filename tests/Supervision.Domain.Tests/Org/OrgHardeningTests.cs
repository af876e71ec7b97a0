using System.Text.Json.Nodes;
using Supervision.Domain.Org;

namespace Supervision.Domain.Tests.Org;

/// <summary>H10: the org directory document is validated as a whole, with every problem listed.</summary>
public sealed class OrgHardeningTests
{
    private const string OneUnit = """[{ "id": "g", "name": "政府", "type": "Government", "level": "Province", "parent": null, "region": "P" }]""";

    private static DataValidationException Refused(string json) => Assert.Throws<DataValidationException>(() => OrgDirectory.Parse(json));

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"units":null,"people":null}""")]
    public void H10_missing_or_null_arrays_are_listed(string json)
    {
        var e = Refused(json);
        Assert.Contains("units is required (an array of units)", e.Errors);
        Assert.Contains("people is required (an array of people)", e.Errors);
        Assert.Contains("the directory has no units", e.Errors);
    }

    [Theory]
    [InlineData("""{"units":[],"people":[]}""", "the directory has no units")]
    [InlineData("""{"units":[null],"people":[]}""", "units contains null entries")]
    [InlineData("""{"people":[]}""", "units is required (an array of units)")]
    [InlineData("""{"units":[{ "id": "g", "name": "政府", "type": "Government", "level": "Province", "parent": null, "region": "P" }]}""", "people is required (an array of people)")]
    public void H10_empty_and_null_documents_are_refused(string json, string error) =>
        Assert.Contains(error, Refused(json).Errors);

    [Fact]
    public void H10_every_problem_is_listed_at_once_and_nothing_throws_otherwise()
    {
        var json = $$"""
        {
          "units": [
            { "id": "g", "name": "政府", "type": "Government", "level": "Province", "parent": null, "region": "P" },
            { "id": "b", "name": "{{new string('名', 101)}}", "type": "PetitionBureau", "level": "Province", "parent": "nowhere", "region": "P" },
            { "id": "x", "name": null, "type": "CompetentAgency", "level": "Province", "parent": "g", "region": null }
          ],
          "people": [
            { "id": null, "name": "无名", "roles": [] },
            { "id": "p1", "name": "甲", "roles": null },
            { "id": "p2", "name": "乙", "roles": [ null, { "role": "Registrar", "unit": "gone" } ] },
            { "id": "petitioner", "name": "丙", "roles": [] },
            null
          ]
        }
        """;
        var errors = Refused(json).Errors;
        Assert.Contains("unit 'b' names unknown parent 'nowhere'", errors);
        Assert.Contains(errors, e => e.Contains("'b' has a name longer than 100", StringComparison.Ordinal));
        Assert.Contains("unit 'x' has no name", errors);
        Assert.Contains("unit 'x' has no region", errors);
        Assert.Contains("a person (无名) has no id", errors);
        Assert.Contains("person 'p1' has no roles array", errors);
        Assert.Contains("person 'p2' has a null role entry", errors);
        Assert.Contains("person 'p2' holds Registrar at unknown unit 'gone'", errors);
        Assert.Contains("person id 'petitioner' is reserved", errors);
        Assert.Contains("people contains null entries", errors);
    }

    [Fact]
    public void H10_numeric_enums_duplicates_and_size_caps_are_refused()
    {
        Assert.Contains(Refused("""{"units":[{ "id": "g", "name": "政府", "type": 99, "level": "Province", "parent": null, "region": "P" }],"people":[]}""").Errors,
            e => e.Contains("unknown type or level", StringComparison.Ordinal) || e.Contains("not valid JSON", StringComparison.Ordinal));
        Assert.Contains(Refused("""{"units":[],"units":[],"people":[]}""").Errors, e => e.StartsWith("not valid JSON", StringComparison.Ordinal));

        var many = new JsonArray([.. Enumerable.Range(0, OrgDirectory.MaxUnits + 1).Select(i => (JsonNode)new JsonObject
        {
            ["id"] = $"u{i}", ["name"] = "单位", ["type"] = "CompetentAgency", ["level"] = "Province", ["parent"] = null, ["region"] = "P",
        })]);
        var e = Refused(new JsonObject { ["units"] = many, ["people"] = new JsonArray() }.ToJsonString());
        Assert.Equal([$"too many units: {OrgDirectory.MaxUnits + 1} (at most {OrgDirectory.MaxUnits})"], e.Errors);
        Assert.NotNull(OrgDirectory.Parse($$"""{"units":{{OneUnit}},"people":[]}"""));
    }

    [Fact]
    public void H10_a_replacement_that_drops_a_unit_still_in_use_is_refused()
    {
        var demo = OrgDirectory.Demo;
        Assert.Empty(demo.MissingUnits(["ca-housing", "ca-bureau", null, ""]));
        var smaller = OrgDirectory.Parse($$"""{"units":{{OneUnit}},"people":[]}""");
        Assert.Equal(["ca-bureau", "ca-housing"], smaller.MissingUnits(["ca-housing", "g", "ca-bureau", "ca-housing"]));
        var e = Assert.Throws<DataValidationException>(() => smaller.RequireUnits(["ca-housing"]));
        Assert.Contains("unit 'ca-housing' is still referenced by open cases and cannot be removed", e.Errors);
        Assert.Same(demo, demo.RequireUnits(["ca-housing"]));
        Assert.Equal(["ca-housing"], OrgDirectory.Empty.MissingUnits(["ca-housing"])); // a host's placeholder before loading
    }
}
