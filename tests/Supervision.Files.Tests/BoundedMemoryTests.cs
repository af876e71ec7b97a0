using System.Diagnostics;
using Azure.Storage;
using Azure.Storage.Blobs.Models;
using Xunit.Abstractions;

namespace Supervision.Files.Tests;

[CollectionDefinition(nameof(AllocationMeasurements), DisableParallelization = true)]
public sealed class AllocationMeasurements;

/// <summary>
/// A 50 MiB upload in bounded memory. Allocation is counted for the whole process, so this class runs alone
/// (<see cref="AllocationMeasurements"/>). The allocation bound is asserted because it is deterministic up to a small
/// noise; times and working sets are only recorded (bench/results/2026-11-29-files.md).
/// </summary>
[Collection(nameof(AllocationMeasurements))]
public class BoundedMemoryTests(ITestOutputHelper output)
{
    private const long FiftyMiB = 50L * 1024 * 1024;

    [Fact]
    public async Task A_50_MiB_upload_streams_in_bounded_memory_and_hashes_correctly()
    {
        var (store, _, _) = await TestFiles.StoreAsync();
        await store.UploadAsync("warm-up", CaseFileKind.Evidence, "w.pdf", new GeneratedPdfStream(5 * 1024 * 1024), null);

        var source = new GeneratedPdfStream(FiftyMiB); // exactly the Evidence limit: the bound is inclusive
        var (file, allocated, peakDelta, elapsed) = await MeasureAsync(() =>
            store.UploadAsync("XF-2026-big", CaseFileKind.Evidence, "大文件.pdf", source, "application/pdf"));

        Assert.Equal(FiftyMiB, file.SizeBytes);
        Assert.Equal(source.Sha256, file.Sha256);
        output.WriteLine($"CaseFileStore.UploadAsync 50 MiB: allocated {allocated / 1024.0 / 1024:F2} MiB, working-set peak +{peakDelta / 1024.0 / 1024:F1} MiB, {elapsed.TotalMilliseconds:F0} ms");
        Assert.True(allocated < 10 * 1024 * 1024, $"allocated {allocated} bytes for a {FiftyMiB}-byte upload");

        // Reading it back streams too, and the end-of-stream SHA-256 check passes.
        var (read, readAllocated, readPeak, readElapsed) = await MeasureAsync(async () =>
        {
            await using var download = await store.OpenReadAsync(file.Owner, file.FileId);
            var buffer = new byte[81920];
            long total = 0;
            int n;
            while ((n = await download.Content.ReadAsync(buffer)) > 0)
            {
                total += n;
            }

            return total;
        });
        Assert.Equal(FiftyMiB, read);
        output.WriteLine($"OpenReadAsync 50 MiB (verified): allocated {readAllocated / 1024.0 / 1024:F2} MiB, working-set peak +{readPeak / 1024.0 / 1024:F1} MiB, {readElapsed.TotalMilliseconds:F0} ms");
        Assert.True(readAllocated < 10 * 1024 * 1024, $"allocated {readAllocated} bytes reading {FiftyMiB} bytes");
    }

    [Fact]
    public async Task Peer_the_SDKs_own_partitioned_upload_of_the_same_stream_is_recorded()
    {
        var (_, container, _) = await TestFiles.StoreAsync();
        var options = new BlobUploadOptions
        {
            TransferOptions = new StorageTransferOptions { InitialTransferSize = 4 * 1024 * 1024, MaximumTransferSize = 4 * 1024 * 1024, MaximumConcurrency = 2 },
        };
        await container.GetBlobClient("warm-up").UploadAsync(new GeneratedPdfStream(5 * 1024 * 1024), options);

        var source = new GeneratedPdfStream(FiftyMiB);
        var (_, allocated, peakDelta, elapsed) = await MeasureAsync(async () =>
            await container.GetBlobClient("peer").UploadAsync(source, options));

        var props = await container.GetBlobClient("peer").GetPropertiesAsync();
        Assert.Equal(FiftyMiB, props.Value.ContentLength);
        output.WriteLine($"BlobClient.UploadAsync (4 MiB x 2) 50 MiB: allocated {allocated / 1024.0 / 1024:F2} MiB, working-set peak +{peakDelta / 1024.0 / 1024:F1} MiB, {elapsed.TotalMilliseconds:F0} ms");
    }

    private static async Task<(T Result, long Allocated, long PeakWorkingSetDelta, TimeSpan Elapsed)> MeasureAsync<T>(Func<Task<T>> action)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var baseline = Environment.WorkingSet;
        long peak = baseline;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            // Bounded: stops with the measured action; samples the working set every 5 ms.
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(5));
            try
            {
                while (await timer.WaitForNextTickAsync(stop.Token))
                {
                    peak = Math.Max(peak, Environment.WorkingSet);
                }
            }
            catch (OperationCanceledException)
            {
                // Measurement over.
            }
        });
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        var result = await action();
        clock.Stop();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        await stop.CancelAsync();
        await sampler;
        return (result, allocated, peak - baseline, clock.Elapsed);
    }
}
