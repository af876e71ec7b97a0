using NodaTime;
using Supervision.Domain.Calendar;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Org;

namespace Supervision.Domain.Alerts;

/// <summary>
/// How alerts are delivered (DOMAIN.md §9): routine alerts wait for working hours and are gathered into one digest per
/// person per day; urgent ones go at once and escalate one level up while nobody acknowledges them.
/// </summary>
/// <param name="Digest">Hold routine alerts for the digest; false delivers them at once.</param>
/// <param name="DigestHour">The digest's local hour (Asia/Shanghai) on working days.</param>
/// <param name="AcknowledgeWithin">How long an urgent alert may go unacknowledged before it escalates; zero turns escalation off.</param>
/// <param name="MaxEscalations">Escalations after the first delivery, at most (the ladder may end sooner).</param>
public sealed record AlertPolicy(bool Digest, int DigestHour, Duration AcknowledgeWithin, int MaxEscalations)
{
    public static AlertPolicy Default { get; } = new(Digest: true, DigestHour: 9, AcknowledgeWithin: Duration.FromHours(4), MaxEscalations: 3);

    /// <summary>Alerts delivered in-line by their source, with no digest and no escalation.</summary>
    public static AlertPolicy Direct { get; } = new(Digest: false, DigestHour: 9, AcknowledgeWithin: Duration.Zero, MaxEscalations: 0);

    /// <summary>Whether alerts go through an alert or digest instance at all (otherwise the source delivers them).</summary>
    public bool Routed => Digest || AcknowledgeWithin > Duration.Zero;

    /// <summary>The digest an alert decided at <paramref name="now"/> joins: 09:00 (<see cref="DigestHour"/>) on the first working day after now.</summary>
    public (LocalDate Date, Instant At) NextDigest(LegalCalendar calendar, Instant now)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        var date = LegalCalendar.LocalDateOf(now);
        while (true)
        {
            if (calendar.IsWorkingDay(date) && DigestAt(date) > now)
            {
                return (date, DigestAt(date));
            }

            date = date.PlusDays(1);
        }
    }

    /// <summary>When the digest of <paramref name="date"/> goes out.</summary>
    public Instant DigestAt(LocalDate date) => date.At(new LocalTime(DigestHour, 0)).InZoneLeniently(LegalCalendar.Zone).ToInstant();

    /// <summary>The instance that gathers the digest of <paramref name="date"/>.</summary>
    public static string DigestInstanceId(LocalDate date) => "digest-" + date.ToString("uuuu-MM-dd", null);

    /// <summary>The instance that watches one alert (its id with <c>/</c> replaced: storage keys forbid it).</summary>
    public static string AlertInstanceId(string alertId) => "alert-" + alertId.Replace('/', '~');
}

/// <summary>Who hears of an alert nobody acknowledged: one level up from each audience (DOMAIN.md §9 ladder).</summary>
public static class AlertLadder
{
    public static IReadOnlyList<AlertAudience> Above(OrgDirectory org, IReadOnlyList<AlertAudience> audiences)
    {
        ArgumentNullException.ThrowIfNull(org);
        ArgumentNullException.ThrowIfNull(audiences);
        var next = new List<AlertAudience>();
        foreach (var a in audiences)
        {
            var up = a.Role switch
            {
                "handling-officer" => new AlertAudience(RoleNames.Of(Role.AgencyHead), a.UnitId),
                "registrar" => new AlertAudience(RoleNames.Of(Role.Supervisor), a.UnitId), // a bureau's head is its supervisor
                "agency-head" or "supervisor" => org.GovernmentOf(a.UnitId) is { } gov ? new AlertAudience(RoleNames.Of(Role.Leader), gov.Id) : null,
                "leader" => org.ConferenceOfficeOf(a.UnitId) is { } office ? new AlertAudience(RoleNames.Of(Role.ConferenceStaff), office.Id) : null,
                _ => null, // the conference office is the top; a person-addressed alert has no ladder
            };
            if (up is not null && !audiences.Contains(up) && !next.Contains(up))
            {
                next.Add(up);
            }
        }

        return next;
    }
}
