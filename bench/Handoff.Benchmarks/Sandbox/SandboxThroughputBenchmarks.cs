using System.Net.Http.Headers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Handoff.Sandbox;

namespace Handoff.Benchmarks.Sandbox;

/// <summary>
/// Throughput of the sandbox API emulator over real HTTP on 127.0.0.1: creates, merge-patch updates, and
/// create→watch-event delivery, each with 16 concurrent clients (an operator's informers and workers).
/// One invocation = <see cref="Operations"/> requests; divide by the mean time for writes per second.
/// </summary>
[MemoryDiagnoser]
public class SandboxThroughputBenchmarks
{
    public const int Operations = 2_000;
    private const int Concurrency = 16;
    private SandboxServer _server = null!;
    private HttpClient _http = null!;
    private int _round;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _server = await SandboxServer.StartAsync(new SandboxOptions { SimulateKubelet = false, WatchHistoryLimit = 10_000 });
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Concurrency }) { BaseAddress = _server.BaseAddress };
        using var ns = Json("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"bench"}}""");
        (await _http.PostAsync(new Uri("api/v1/namespaces", UriKind.Relative), ns)).EnsureSuccessStatusCode();
        for (var i = 0; i < Operations; i++)
        {
            using var body = Json(ConfigMap($"fixed-{i}", 0));
            (await _http.PostAsync(new Uri("api/v1/namespaces/bench/configmaps", UriKind.Relative), body)).EnsureSuccessStatusCode();
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    private static StringContent Json(string json, string type = "application/json") => new(json, Encoding.UTF8, new MediaTypeHeaderValue(type));

    private static string ConfigMap(string name, int value) =>
        "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name + "\",\"labels\":{\"app\":\"bench\"}},\"data\":{\"value\":\"" +
        value.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\",\"payload\":\"" + new string('x', 200) + "\"}}";

    private async Task ParallelAsync(Func<int, Task> operation)
    {
        var next = -1;
        var workers = Enumerable.Range(0, Concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < Operations)
            {
                await operation(i);
            }
        });
        await Task.WhenAll(workers);
    }

    [Benchmark(OperationsPerInvoke = Operations)]
    public async Task Create()
    {
        var round = Interlocked.Increment(ref _round);
        await ParallelAsync(async i =>
        {
            using var body = Json(ConfigMap($"c-{round}-{i}", i));
            using var response = await _http.PostAsync(new Uri("api/v1/namespaces/bench/configmaps", UriKind.Relative), body);
            response.EnsureSuccessStatusCode();
        });
    }

    [Benchmark(OperationsPerInvoke = Operations)]
    public async Task MergePatchUpdate()
    {
        var round = Interlocked.Increment(ref _round);
        await ParallelAsync(async i =>
        {
            using var body = Json("{\"data\":{\"value\":\"" + round.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\"}}", "application/merge-patch+json");
            using var response = await _http.PatchAsync(new Uri($"api/v1/namespaces/bench/configmaps/fixed-{i}", UriKind.Relative), body);
            response.EnsureSuccessStatusCode();
        });
    }

    [Benchmark(OperationsPerInvoke = Operations)]
    public async Task UpdateObservedByWatch()
    {
        var round = Interlocked.Increment(ref _round);
        var rv = _server.ResourceVersion;
        using var watch = await _http.GetAsync(new Uri($"api/v1/namespaces/bench/configmaps?watch=true&resourceVersion={rv}", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        await using var stream = await watch.Content.ReadAsStreamAsync();
        using var reader = new StreamReader(stream);
        var received = Task.Run(async () =>
        {
            var n = 0;
            while (n < Operations && await reader.ReadLineAsync() is { } line)
            {
                if (line.StartsWith("{\"type\":\"MODIFIED\"", StringComparison.Ordinal))
                {
                    n++;
                }
            }

            return n;
        });
        await ParallelAsync(async i =>
        {
            using var body = Json("{\"data\":{\"value\":\"w" + round.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\"}}", "application/merge-patch+json");
            using var response = await _http.PatchAsync(new Uri($"api/v1/namespaces/bench/configmaps/fixed-{i}", UriKind.Relative), body);
            response.EnsureSuccessStatusCode();
        });
        if (await received != Operations)
        {
            throw new InvalidOperationException("the watch missed events");
        }
    }
}
