using Supervision.Domain.Org;

namespace Supervision.Bench.Analysis;

/// <summary>
/// A fictional province the size of a real one: the province's government and bodies, 14 cities, 100 counties, each
/// level with its government, Party committee, petition bureau, conference office and competent agencies, and a leader
/// at every government (the viewers the bench reads as).
/// </summary>
public static class SyntheticProvince
{
    public const int Cities = 14;
    public const int Counties = 100;

    public static OrgDirectory Build()
    {
        var units = new List<OrgUnit>();
        var people = new List<Person>();
        void AddLevel(string id, string name, Level level, string? parent, string region, int agencies)
        {
            units.Add(new(id + "-gov", name + "人民政府", UnitType.Government, level, parent, region));
            units.Add(new(id + "-party", name + "委", UnitType.PartyCommittee, level, id + "-gov", region));
            units.Add(new(id + "-bureau", name + "信访局", UnitType.PetitionBureau, level, id + "-gov", region));
            units.Add(new(id + "-conf", name + "联席办", UnitType.ConferenceOffice, level, id + "-gov", region));
            for (var a = 0; a < agencies; a++)
            {
                units.Add(new($"{id}-a{a:D2}", $"{name}第{a + 1}局", UnitType.CompetentAgency, level, id + "-gov", region));
            }

            people.Add(new(id + "-leader", name + "领导", [new RoleGrant(Role.Leader, id + "-gov")]));
        }

        AddLevel("p", "省", Level.Province, null, "省直", 30);
        for (var c = 0; c < Cities; c++)
        {
            AddLevel($"c{c:D2}", $"第{c + 1}市", Level.City, "p-gov", $"第{c + 1}市", 40);
        }

        for (var k = 0; k < Counties; k++)
        {
            AddLevel($"k{k:D3}", $"第{k + 1}县", Level.County, $"c{k % Cities:D2}-gov", $"第{(k % Cities) + 1}市", 25);
        }

        return OrgDirectory.From(new OrgSeed(units, people));
    }
}
