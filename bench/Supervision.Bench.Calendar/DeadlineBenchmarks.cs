using BenchmarkDotNet.Attributes;
using NodaTime;
using Supervision.Domain.Calendar;

namespace Supervision.Bench.Calendar;

/// <summary>
/// One deadline computation = <see cref="LegalCalendar.Compute"/> with its full explanation, as the runtime does when it
/// recomputes an open case's clocks. Baseline: a naive <c>PlusDays</c> that ignores holidays. Target: ≥ 2 M/s/core (≤ 500 ns).
/// </summary>
[MemoryDiagnoser]
public class DeadlineBenchmarks
{
    private static readonly LegalCalendar Calendar = LegalCalendar.Default;

    private static readonly DeadlineRequest Natural15 = new(new LocalDate(2025, 9, 20), 15, DayUnit.Natural, "登记转送", "《信访工作条例》第二十二条");
    private static readonly DeadlineRequest Natural60Roll = new(new LocalDate(2025, 9, 10), 60, DayUnit.Natural, "办理期限", "《信访工作条例》第三十四条");
    private static readonly DeadlineRequest Working5 = new(new LocalDate(2025, 9, 26), 5, DayUnit.Working, "异议", "《信访工作条例》第二十三条");
    private static readonly DeadlineRequest Natural60ExtensionPause = new(
        new LocalDate(2025, 9, 10),
        60,
        DayUnit.Natural,
        "办理期限",
        "《信访工作条例》第三十四条",
        [new ClockPause(new LocalDate(2025, 10, 13), new LocalDate(2025, 10, 17), "听证")],
        new ClockExtension(30, "情况复杂，经本机关负责人批准"));

    // Every trigger date 2022-01-01..2026-12-31: a mixed workload across holidays, make-up days and year ends.
    private static readonly LocalDate[] Triggers =
        Enumerable.Range(0, 1826).Select(i => new LocalDate(2022, 1, 1).PlusDays(i)).ToArray();

    [Benchmark(Baseline = true, Description = "naive PlusDays(60)")]
    public LocalDate NaiveAddDays() => Natural60Roll.Trigger.PlusDays(60);

    [Benchmark(Description = "15日 (rolls over 国庆)")]
    public Deadline Days15() => Calendar.Compute(Natural15);

    [Benchmark(Description = "60日 with roll")]
    public Deadline Days60Roll() => Calendar.Compute(Natural60Roll);

    [Benchmark(Description = "5个工作日")]
    public Deadline WorkingDays5() => Calendar.Compute(Working5);

    [Benchmark(Description = "60日 + extension + pause")]
    public Deadline Days60ExtensionPause() => Calendar.Compute(Natural60ExtensionPause);

    [Benchmark(OperationsPerInvoke = 1826, Description = "60日, every trigger 2022–2026 (per op)")]
    public LocalDate Days60Sweep()
    {
        var last = default(LocalDate);
        foreach (var t in Triggers)
        {
            last = Calendar.Compute(new DeadlineRequest(t, 60, DayUnit.Natural)).DueDate;
        }

        return last;
    }

    [Benchmark(Description = "AddWorkingDays(5) primitive")]
    public LocalDate AddWorkingDays() => Calendar.AddWorkingDays(Working5.Trigger, 5);
}
