using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// ShortRun in-process (BENCHMARK.md §3): no separate project build on a 2-core machine. Pass --job default etc. to override.
var config = ManualConfig.Create(DefaultConfig.Instance)
    .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
BenchmarkSwitcher.FromAssembly(typeof(Supervision.Bench.Calendar.DeadlineBenchmarks).Assembly).Run(args, config);
