using System.Diagnostics;
using System.Reflection;

namespace Supervision.Infra.Tests;

/// <summary>The Bicep CLI restored from NuGet (see the csproj), run as a child process with a bounded wait.</summary>
public static class BicepCli
{
    public static string Path { get; } = Locate();

    public static Task<BicepRun> RunAsync(params string[] args) => RunAsync(new Dictionary<string, string>(), args);

    /// <summary>Runs the CLI with extra environment variables (read by <c>readEnvironmentVariable</c> in .bicepparam files).</summary>
    public static Task<BicepRun> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        RunProcessAsync(Path, environment, args);

    /// <summary>Any program, with a bounded wait and captured output (the Teams script's test runs bash with it).</summary>
    public static async Task<BicepRun> RunProcessAsync(string program, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var psi = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        // Offline and quiet: no telemetry, no update checks.
        psi.Environment["BICEP_TELEMETRY_ENABLED"] = "false";
        foreach (var (name, value) in environment)
        {
            psi.Environment[name] = value;
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return new BicepRun(process.ExitCode, await stdout, await stderr);
    }

    private static string Locate()
    {
        var path = typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "BicepCli").Value!;
        if (!File.Exists(path))
        {
            throw new InvalidOperationException(
                $"Bicep CLI not found at {path}. Restore tests/Supervision.Infra.Tests (it downloads Azure.Bicep.CommandLine.linux-x64).");
        }

        // NuGet keeps the mode bits of the package; make sure the owner may execute it anyway.
        // The package is the linux-x64 CLI, so this only runs on Linux.
        if (!OperatingSystem.IsWindows() && File.GetUnixFileMode(path) is var mode && !mode.HasFlag(UnixFileMode.UserExecute))
        {
            File.SetUnixFileMode(path, mode | UnixFileMode.UserExecute);
        }

        return path;
    }
}

public sealed record BicepRun(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}
