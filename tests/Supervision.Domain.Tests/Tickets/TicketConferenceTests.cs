using Supervision.Domain.Cases;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Tickets;
using static Supervision.Domain.Tests.Cases.CaseSpec;
using static Supervision.Domain.Tests.Tickets.TicketSpec;

namespace Supervision.Domain.Tests.Tickets;

/// <summary>Conference-office decisions (Art. 39), accountability (Art. 40) and the accusation guard (Arts. 30, 46).</summary>
public sealed class TicketConferenceTests
{
    [Fact]
    public void The_conference_office_decides_only_on_a_referred_ticket_and_its_decision_goes_to_the_case()
    {
        var early = Raised();
        Assert.Contains("not been referred", early.Refused(new ConferenceDecision(ConfStaff, Listed: true), At("2025-09-12"), RejectionKind.InvalidTransition).Reason, StringComparison.Ordinal);

        var f = Referred();
        var at = f.State.Response!.StartedAt;
        f.Refused(new ConferenceDecision(Supervisor, Listed: true), at, RejectionKind.Forbidden);
        f.Refused(new ConferenceDecision("c-conf-staff", Listed: true), at, RejectionKind.Forbidden); // another level's office
        f.Refused(new ConferenceDecision(ConfStaff), at, RejectionKind.Validation);

        f.Ok(new ConferenceDecision(ConfStaff, Listed: true, Circulated: true, ReassignTo: "ca-land", ExtensionDays: 15, Note: "挂牌督办"), at);
        var messages = f.Effects.OfType<SendMessage>().ToList();
        Assert.All(messages, m => Assert.Equal((CaseDecider.Type, CaseId), (m.TargetType, m.TargetInstanceId)));
        Assert.Equal(new MarkSupervision(Actors.System, TicketId, true, true), Assert.Single(f.Messages<MarkSupervision>()));
        Assert.Equal(new ApplyConferenceExtension(Actors.System, TicketId, 15, "挂牌督办"), Assert.Single(f.Messages<ApplyConferenceExtension>()));
        Assert.Equal("ca-land", Assert.Single(f.Messages<ReassignCase>()).AgencyId);
        Assert.True(f.State.Listed && f.State.Circulated);
        Assert.Contains(("handling-officer", "ca-land"), Audience(Assert.Single(f.Alerts)));
        Assert.Empty(f.Do(new ConferenceDecision(ConfStaff, Listed: true, Circulated: true, ReassignTo: "ca-land", ExtensionDays: 15, Note: "挂牌督办"), at).Events);
    }

    [Fact]
    public void Accountability_is_recommended_once_and_an_unanswered_recommendation_alerts_the_conference_office()
    {
        var f = Raised();
        f.Refused(new RecommendAccountability(Officer, Government, "拖延"), At("2025-09-12"), RejectionKind.Forbidden);
        var rec = Assert.IsType<AccountabilityRecommended>(Assert.Single(f.Ok(new RecommendAccountability(Supervisor, Government, "拖延造成严重后果"), At("2025-09-12"))));
        Assert.Equal(D("2025-10-13"), rec.ReplyClock.DueDate); // 09-12 + 30 日 = 10-12 (Sunday, make-up day 10-11 is Saturday) → rolls to 10-13
        Assert.Contains(f.Alerts, a => a.Kind == "ticket.accountability" && Audience(a).Contains(("agency-head", Government)));
        f.Refused(new RecommendAccountability(Supervisor, "c-gov", "再次"), At("2025-09-13"), RejectionKind.InvalidTransition);

        // The reply deadline outlives the ticket: closing the ticket does not end it.
        f.Ok(new CloseTicket(Actors.System), At("2025-09-20"));
        Assert.IsType<AccountabilityReplyOverdue>(Assert.Single(f.Fire("accountability:due").Events));
        var overdue = Assert.Single(f.Alerts);
        Assert.Equal(AlertUrgency.Urgent, overdue.Urgency);
        Assert.Contains(("conference-staff", Conference), Audience(overdue));
        Assert.Empty(Ticket.Timers(f.State));
    }

    [Fact]
    public void The_target_body_records_its_written_reply_which_stops_the_reply_timer()
    {
        var f = Raised();
        f.Ok(new RecommendAccountability(ConfStaff, Government, "拖延"), At("2025-09-12"));
        f.Refused(new RecordAccountabilityReply(Officer, "reply.pdf"), At("2025-09-20"), RejectionKind.Forbidden);
        f.Ok(new RecordAccountabilityReply("ca-gov-head", "reply.pdf"), At("2025-09-20"));
        Assert.DoesNotContain(Ticket.Timers(f.State), t => t.Key.StartsWith("accountability", StringComparison.Ordinal));
        Assert.Equal(true, f.Effects.OfType<UpsertReadModel>().Single().Values[TicketRow.AccountabilityReplied]);
    }

    // ── Accusation guard ──
    private static RaiseTicket AccusationAgainst(string agency, string accusedUnit, string actor = Actors.System) =>
        Raise(agency: agency, actor: actor, category: Category.Accusation, accusedUnit: accusedUnit);

    [Fact]
    public void A_ticket_about_an_accusation_is_never_raised_against_the_accused_unit()
    {
        var r = New().Refused(AccusationAgainst(Agency, Agency), At("2025-09-10"), RejectionKind.Forbidden);
        Assert.Contains("accused", r.Reason, StringComparison.Ordinal);
        // Nor against the unit where the accused person holds a role.
        New().Refused(Raise(category: Category.Accusation, accusedPerson: Head), At("2025-09-10"), RejectionKind.Forbidden);
    }

    [Fact]
    public void Escalation_alerts_never_address_the_accused_unit_even_when_it_is_next_on_the_ladder()
    {
        // The accused is the county government: the ladder would reach its leader at 约谈.
        var f = New();
        f.Ok(AccusationAgainst(Agency, Government), At("2025-09-10"));
        while (f.State.Form < SupervisionForm.ConferenceReferral)
        {
            f.Fire("response:due");
            Assert.All(f.Alerts, a => Assert.DoesNotContain(a.To, x => x.UnitId == Government));
        }

        Assert.Equal(Government, f.Effects.OfType<UpsertReadModel>().Single().Values[TicketRow.ExcludedUnits]);
        var at = f.State.Response!.StartedAt;
        f.Refused(new ConferenceDecision(ConfStaff, ReassignTo: Government), at, RejectionKind.Forbidden);
        f.Refused(new RecommendAccountability(ConfStaff, Government, "x"), at, RejectionKind.Forbidden);
        f.Refused(new AcknowledgeTicket("ca-gov-officer"), at, RejectionKind.Forbidden); // an accused person never acts on it
    }
}
