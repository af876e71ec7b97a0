using System.Globalization;
using NodaTime;
using Supervision.Domain.Calendar;

namespace Supervision.Domain.Orchestration;

/// <summary>The words of an alert as delivered.</summary>
public sealed record RenderedAlert(string Subject, string Body);

/// <summary>
/// Words an alert at delivery time. Alerts are decided when a threshold passes but may be delivered late (after an
/// outage, or held for working hours): a deadline alert says "将于 … 届满" only while the due date is still ahead at
/// delivery, and "已于 … 届满，已超期 N 日" once it has passed. Pure: the caller passes the delivery instant. Texts carry
/// the case id, rule, article, due date, what to do and the link — never petitioner data.
/// </summary>
public static class AlertText
{
    public const string Chinese = "zh-CN";
    public const string English = "en";

    /// <param name="culture"><c>zh-CN</c> (Simplified Chinese, the default) or <c>en</c>; anything starting with <c>en</c> is English.</param>
    public static RenderedAlert Render(Alert alert, Instant deliveredAt, string culture = Chinese)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var en = culture?.StartsWith("en", StringComparison.OrdinalIgnoreCase) == true;
        if (alert.Deadline is not { } d)
        {
            // Event alerts (routed, objection, major…) are not tense-bound; their decided wording stands.
            return new RenderedAlert(alert.Subject, alert.Body);
        }

        var id = alert.CaseId ?? string.Empty;
        var date = d.DueDate.ToString("uuuu-MM-dd", CultureInfo.InvariantCulture);
        var link = alert.Link;
        var past = deliveredAt >= d.DueAt;
        var level = past ? AlertLevel.Overdue : d.Level;
        var deliveredOn = LegalCalendar.InRange(deliveredAt) ? LegalCalendar.LocalDateOf(deliveredAt) : d.DueDate;
        if (past)
        {
            var overdueDays = Math.Max(1, Period.DaysBetween(d.DueDate, deliveredOn));
            return en
                ? new RenderedAlert(
                    $"[Overdue] Case {id}: {d.Rule}",
                    $"Case {id}: the {d.Rule} ({d.Article}) fell due on {date} and is overdue by {overdueDays} day{(overdueDays == 1 ? string.Empty : "s")}. "
                    + $"{Action(level, en)}{Link(link, en)}")
                : new RenderedAlert(
                    $"【超期】信访事项 {id} {d.Rule}",
                    $"信访事项 {id} 的{d.Rule}（{d.Article}）已于 {date} 届满，已超期 {overdueDays} 日。{Action(level, en)}{Link(link, en)}");
        }

        var left = Math.Max(0, Period.DaysBetween(deliveredOn, d.DueDate));
        var leftText = en
            ? left == 0 ? "today is the last day" : $"{left} day{(left == 1 ? string.Empty : "s")} left"
            : left == 0 ? "今日为最后一日" : $"还剩 {left} 日";
        return en
            ? new RenderedAlert(
                $"[{Tag(level, en)}] Case {id}: {d.Rule}",
                $"Case {id}: the {d.Rule} ({d.Article}) falls due on {date}; {leftText}. {Action(level, en)}{Link(link, en)}")
            : new RenderedAlert(
                $"【{Tag(level, en)}】信访事项 {id} {d.Rule}",
                $"信访事项 {id} 的{d.Rule}（{d.Article}）将于 {date} 届满，{leftText}。{Action(level, en)}{Link(link, en)}");
    }

    private static string Tag(AlertLevel level, bool en) => level switch
    {
        AlertLevel.Reminder => en ? "Reminder" : "提醒",
        AlertLevel.Warning => en ? "Warning" : "预警",
        AlertLevel.Critical => en ? "Due soon" : "临期",
        _ => en ? "Overdue" : "超期",
    };

    private static string Action(AlertLevel level, bool en) => level switch
    {
        AlertLevel.Reminder => en ? "Half of the time has passed: plan the remaining work." : "期限已过半，请合理安排办理进度。",
        AlertLevel.Warning => en ? "Please speed up handling; the head of the body is informed." : "请抓紧办理，单位负责人督促落实。",
        AlertLevel.Critical => en ? "Finish and reply before the deadline, or have an extension approved where the law allows." : "请于届满前办结答复，或依法报批延期。",
        _ => en ? "Finish at once and record the reason for the delay; the supervising bureau will follow up." : "请立即办结并说明超期原因，信访部门将予督办。",
    };

    private static string Link(string? link, bool en) =>
        string.IsNullOrEmpty(link) ? string.Empty : en ? $" Open: {link}" : $"详情：{link}";
}
