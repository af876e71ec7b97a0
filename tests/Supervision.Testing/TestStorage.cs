using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace Supervision.Testing;

/// <summary>
/// Storage for tests: Azurite, or a real account. Set <c>SUPERVISION_TEST_STORAGE</c> to a connection string to
/// use an existing Azurite (the README's test command starts one and sets it) or a real storage account.
/// Unset, the first test that asks starts a private Azurite from <c>tools/node_modules</c> on free loopback ports
/// and stops it when the test process exits. Every test gets its own table/queue/container names
/// (<see cref="UniqueName"/>) so test classes and processes can share one Azurite.
/// </summary>
public static class TestStorage
{
    public const string EnvironmentVariable = "SUPERVISION_TEST_STORAGE";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? connectionString;
    private static int counter;

    /// <summary>A short id for this test process, so names never collide across runs sharing one Azurite.</summary>
    public static string RunId { get; } = Convert.ToHexString(BitConverter.GetBytes(Environment.ProcessId ^ Environment.TickCount)).ToLowerInvariant()[..8];

    /// <summary>The connection string, starting Azurite if needed. Bounded: fails after 60 s rather than hanging.</summary>
    public static async Task<string> GetConnectionStringAsync()
    {
        if (connectionString is not null)
        {
            return connectionString;
        }

        await Gate.WaitAsync();
        try
        {
            connectionString ??= Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } fromEnv
                ? fromEnv
                : await AzuriteProcess.StartAsync();
            return connectionString;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>
    /// A name valid for a table, queue and container alike: lowercase letters and digits, starts with a letter. No name
    /// contains another (fixed-width counter, closed by a letter): <c>e…1</c> would otherwise be found inside <c>e…12</c>,
    /// and a test looking for its own stores by name (<see cref="StorageSnapshot"/>) would see another test's writes.
    /// </summary>
    public static string UniqueName(string prefix)
    {
        var n = Interlocked.Increment(ref counter);
        var name = $"{prefix}{RunId}{n:D5}z".ToLowerInvariant();
        return new string(name.Where(char.IsAsciiLetterOrDigit).ToArray());
    }

    public static async Task<TableServiceClient> TablesAsync() => new(await GetConnectionStringAsync());

    public static async Task<QueueServiceClient> QueuesAsync() =>
        new(await GetConnectionStringAsync(), new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });

    public static async Task<BlobServiceClient> BlobsAsync() => new(await GetConnectionStringAsync());

    /// <summary>The repository root (the folder holding Supervision.sln).</summary>
    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Supervision.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Supervision.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Picks a free loopback TCP port.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static class AzuriteProcess
    {
        private static Process? process;

        public static async Task<string> StartAsync()
        {
            var root = RepoRoot();
            var script = Path.Combine(root, "tools", "node_modules", "azurite", "dist", "src", "azurite.js");
            if (!File.Exists(script))
            {
                throw new InvalidOperationException(
                    $"Azurite is not installed ({script} missing). Run the README's test command, or `npm ci --prefix tools`.");
            }

            int blob = FreePort(), queue = FreePort(), table = FreePort();
            var psi = new ProcessStartInfo("node")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[]
                     {
                         script, "--silent", "--inMemoryPersistence", "--skipApiVersionCheck", "--loose", "--disableTelemetry",
                         "--blobHost", "127.0.0.1", "--blobPort", blob.ToString(System.Globalization.CultureInfo.InvariantCulture),
                         "--queueHost", "127.0.0.1", "--queuePort", queue.ToString(System.Globalization.CultureInfo.InvariantCulture),
                         "--tableHost", "127.0.0.1", "--tablePort", table.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     })
            {
                psi.ArgumentList.Add(arg);
            }

            process = Process.Start(psi) ?? throw new InvalidOperationException("could not start node");
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop();

            await WaitForPortAsync(table, TimeSpan.FromSeconds(60));
            await WaitForPortAsync(queue, TimeSpan.FromSeconds(10));
            await WaitForPortAsync(blob, TimeSpan.FromSeconds(10));
            return AzuriteConnectionString(blob, queue, table);
        }

        private static void Stop()
        {
            try
            {
                if (process is { HasExited: false })
                {
                    process.Kill(entireProcessTree: true);
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone: nothing to stop.
            }
        }

        private static async Task WaitForPortAsync(int port, TimeSpan limit)
        {
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    using var client = new TcpClient();
                    await client.ConnectAsync(IPAddress.Loopback, port);
                    return;
                }
                catch (SocketException) when (deadline.Elapsed < limit)
                {
                    if (process is { HasExited: true })
                    {
                        throw new InvalidOperationException($"Azurite exited with code {process.ExitCode} before listening.");
                    }

                    // Polling a real external process's readiness: there is no clock to fake here.
                    await Task.Delay(100);
                }
            }
        }
    }

    /// <summary>The well-known Azurite account on the given loopback ports.</summary>
    public static string AzuriteConnectionString(int blob, int queue, int table) =>
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
        "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
        $"BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1;" +
        $"QueueEndpoint=http://127.0.0.1:{queue}/devstoreaccount1;" +
        $"TableEndpoint=http://127.0.0.1:{table}/devstoreaccount1;";
}
