using Supervision.Domain.Org;

namespace Supervision.Domain.Tests.Org;

public sealed class OrgDirectoryTests
{
    private static readonly OrgDirectory Demo = OrgDirectory.Demo;

    [Theory]
    [InlineData("ca-housing", "ca-gov")]   // a county agency → the county government
    [InlineData("ca-gov", "c-gov")]        // a county government → the city government
    [InlineData("ca1-gov", "ca-gov")]      // a township → its county
    [InlineData("p-gov", null)]            // the root has none
    public void The_body_one_level_above(string unit, string? above) =>
        Assert.Equal(above, Demo.BodyOneLevelAbove(unit)?.Id);

    [Theory]
    [InlineData("ca-housing", "ca-land", "ca-gov")]
    [InlineData("ca-housing", "cb-housing", "c-gov")]
    [InlineData("ca1-gov", "cb1-gov", "c-gov")]
    [InlineData("ca-gov", "ca-housing", "c-gov")]   // one is above the other: the superior is neither of them
    [InlineData("p-gov", "ca-gov", null)]           // no common superior: the joint conference coordinates
    [InlineData("ca-housing", "ca-housing", null)]
    public void The_common_superior(string a, string b, string? superior)
    {
        Assert.Equal(superior, Demo.CommonSuperior(a, b)?.Id);
        Assert.Equal(superior, Demo.CommonSuperior(b, a)?.Id);
    }

    [Fact]
    public void Each_level_has_a_bureau_and_a_conference_office()
    {
        Assert.Equal("ca1-conf", Demo.ConferenceOfficeOf("ca1-gov")?.Id);
        Assert.Equal("ca-conf", Demo.ConferenceOfficeOf("ca-housing")?.Id);
        Assert.Equal("c-bureau", Demo.PetitionBureauOf("c-court")?.Id);
        foreach (var gov in Demo.Units.Where(u => u.Type == UnitType.Government))
        {
            Assert.Contains(Demo.Children(gov.Id), c => c.Type == UnitType.PetitionBureau);
            Assert.Contains(Demo.Children(gov.Id), c => c.Type == UnitType.ConferenceOffice);
        }
    }

    [Fact]
    public void The_demo_has_people_in_every_role_and_every_unit_type()
    {
        Assert.Equal(Enum.GetValues<Role>().Order(), Demo.People.SelectMany(p => p.Roles).Select(r => r.Role).Distinct().Order());
        Assert.Equal(Enum.GetValues<UnitType>().Order(), Demo.Units.Select(u => u.Type).Distinct().Order());
        Assert.Equal(["ca-housing-officer"], Demo.PeopleInRole(Role.HandlingOfficer, "ca-housing").Select(p => p.Id));
        Assert.True(Demo.HasRole("ca-housing-head", Role.AgencyHead, "ca-housing"));
        Assert.False(Demo.HasRole("ca-housing-head", Role.AgencyHead, "ca-land"));
    }

    [Fact]
    public void Round_trips_through_its_seed_json()
    {
        var again = OrgDirectory.Parse(Demo.ToJson());
        Assert.Equal(Demo.ToJson(), again.ToJson());
    }

    private static string Seed(string units, string people = "[]") => $$"""{ "units": {{units}}, "people": {{people}} }""";

    [Fact]
    public void Validation_lists_duplicates_unknown_parents_and_cycles()
    {
        var json = Seed("""
            [
              { "id": "a", "name": "A", "type": "Government", "level": "Province", "parent": null, "region": "1" },
              { "id": "a", "name": "A2", "type": "Government", "level": "Province", "parent": null, "region": "1" },
              { "id": "b", "name": "B", "type": "Government", "level": "City", "parent": "zz", "region": "1" },
              { "id": "c", "name": "C", "type": "Government", "level": "City", "parent": "d", "region": "1" },
              { "id": "d", "name": "D", "type": "Government", "level": "City", "parent": "c", "region": "1" }
            ]
            """);
        var e = Assert.Throws<DataValidationException>(() => OrgDirectory.Parse(json));

        Assert.Contains(e.Errors, x => x.Contains("duplicate unit id 'a'", StringComparison.Ordinal));
        Assert.Contains(e.Errors, x => x.Contains("unknown parent 'zz'", StringComparison.Ordinal));
        Assert.Contains(e.Errors, x => x.Contains("cycle", StringComparison.Ordinal));
    }

    [Fact]
    public void Validation_checks_roles_against_unit_types_and_known_units()
    {
        var units = """[{ "id": "g", "name": "G", "type": "Government", "level": "County", "parent": null, "region": "1" }, { "id": "o", "name": "O", "type": "ConferenceOffice", "level": "County", "parent": "g", "region": "1" }]""";
        var people = """[{ "id": "x", "name": "X", "roles": [{ "role": "Registrar", "unit": "o" }, { "role": "Leader", "unit": "nowhere" }] }, { "id": "x", "name": "X2", "roles": [] }]""";
        var e = Assert.Throws<DataValidationException>(() => OrgDirectory.Parse(Seed(units, people)));

        Assert.Contains(e.Errors, x => x.Contains("cannot be Registrar at 'o'", StringComparison.Ordinal));
        Assert.Contains(e.Errors, x => x.Contains("unknown unit 'nowhere'", StringComparison.Ordinal));
        Assert.Contains(e.Errors, x => x.Contains("duplicate person id 'x'", StringComparison.Ordinal));
    }

    [Fact]
    public void Bad_json_is_a_validation_error()
    {
        Assert.Throws<DataValidationException>(() => OrgDirectory.Parse("{ not json"));
    }

    [Fact]
    public void Edits_return_a_new_validated_directory()
    {
        var added = Demo.WithUnit(new OrgUnit("cb-land", "西山县自然资源局", UnitType.CompetentAgency, Level.County, "cb-gov", "990102"));
        Assert.Equal("cb-gov", added.BodyOneLevelAbove("cb-land")?.Id);
        Assert.Null(Demo.Unit("cb-land"));

        Assert.Throws<DataValidationException>(() => Demo.WithoutUnit("ca-gov")); // children and role grants still point at it
        var person = added.WithPerson(new Person("cb-land-officer", "测试员", [new RoleGrant(Role.HandlingOfficer, "cb-land")]));
        Assert.True(person.HasRole("cb-land-officer", Role.HandlingOfficer, "cb-land"));
        Assert.Null(person.WithoutPerson("cb-land-officer").PersonById("cb-land-officer"));
    }
}
