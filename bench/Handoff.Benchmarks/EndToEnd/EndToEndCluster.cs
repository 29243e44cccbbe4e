using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Handoff.Sandbox;

namespace Handoff.Benchmarks.EndToEnd;

/// <summary>
/// The end-to-end bench's cluster: the sandbox API server (in this process; by default with kubelet simulation off
/// so bound pods stay bound), <see cref="NodeCount"/> Kubernetes Nodes with a HandoffNode each, and the real operator
/// binary in its own process. The bench's own requests carry the <c>User-Agent</c> <see cref="DriverAgent"/>.
/// </summary>
/// Each HandoffNode has 16 cpu and 64000 memory: room for 80,000 one-cpu functions on 5,000 nodes.
public sealed class EndToEndCluster : IAsyncDisposable
{
    public const string DriverAgent = "handoff-bench/1.0";

    private const int ClientConcurrency = 16;
    private readonly string _kubeconfigDirectory;

    private EndToEndCluster(SandboxServer server, HttpClient http, string kubeconfigDirectory, int nodeCount)
    {
        Server = server;
        Http = http;
        _kubeconfigDirectory = kubeconfigDirectory;
        NodeCount = nodeCount;
        KubeconfigPath = Path.Combine(kubeconfigDirectory, "kubeconfig");
    }

    public SandboxServer Server { get; }

    /// <summary>The bench's HTTP client to the sandbox (no throttling, <see cref="ClientConcurrency"/> connections).</summary>
    public HttpClient Http { get; }

    public int NodeCount { get; }

    /// <summary>The operator the runs measure: the one <see cref="StartAsync"/> or <see cref="StartOperatorAsync"/> started last.</summary>
    public OperatorProcess Operator { get; private set; } = null!;

    /// <summary>Every operator process started on this cluster (several in the failover runs), stopped on dispose.</summary>
    public List<OperatorProcess> Operators { get; } = [];

    public string KubeconfigPath { get; }

    // The kubelets' Node status period: HANDOFF_BENCH_NODE_STATUS_PERIOD (a TimeSpan, e.g. 00:05:00; 0 = none), else 5 min.
    private static TimeSpan? NodeStatusReportPeriod() =>
        Environment.GetEnvironmentVariable("HANDOFF_BENCH_NODE_STATUS_PERIOD") is { Length: > 0 } text
            ? text == "0" ? null : TimeSpan.Parse(text, CultureInfo.InvariantCulture)
            : TimeSpan.FromMinutes(5);

    /// <summary>
    /// Starts the sandbox with <paramref name="nodeCount"/> nodes and (unless <paramref name="startOperator"/> is false)
    /// one operator without leader election, and waits until that operator is idle. With <paramref name="podDuration"/>
    /// the simulated kubelet runs bound pods for that long and finishes them; without, pods stay as bound.
    /// </summary>
    public static async Task<EndToEndCluster> StartAsync(
        int nodeCount, CancellationToken cancellationToken, TimeSpan? podDuration = null, bool startOperator = true)
    {
        var names = Enumerable.Range(0, nodeCount).Select(i => "node-" + i.ToString("D5", CultureInfo.InvariantCulture)).ToList();
        var server = await SandboxServer.StartAsync(
            new SandboxOptions
            {
                SimulateKubelet = podDuration is not null,
                DefaultPodDuration = podDuration ?? TimeSpan.FromSeconds(1),
                Nodes = [.. names.Select(n => new SandboxNode(n) { Allocatable = new Dictionary<string, string> { ["cpu"] = "16", ["memory"] = "64Gi" } })],
                // Room for every event of a 50,000-function run, so a slow watcher is never sent back to re-list.
                WatchHistoryLimit = 500_000,
                // Every kubelet posts its Node status every 5 minutes although nothing changed, as on a real cluster
                // (~17 Node updates a second over 5,000 nodes); HANDOFF_BENCH_NODE_STATUS_PERIOD=0 turns that off.
                NodeStatusReportPeriod = NodeStatusReportPeriod(),
            },
            cancellationToken);
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = ClientConcurrency })
        {
            BaseAddress = server.BaseAddress,
            Timeout = TimeSpan.FromMinutes(5),
        };
        http.DefaultRequestHeaders.UserAgent.ParseAdd(DriverAgent);
        var directory = Directory.CreateTempSubdirectory("handoff-e2e-").FullName;
        var cluster = new EndToEndCluster(server, http, directory, nodeCount);
        try
        {
            var crds = SandboxHost.FindCrds(AppContext.BaseDirectory) ?? SandboxHost.FindCrds(Environment.CurrentDirectory)
                ?? throw new DirectoryNotFoundException("crds/ not found above " + AppContext.BaseDirectory);
            await server.InstallCrdsAsync(crds, cancellationToken);
            await cluster.ForEachAsync(names, (name, ct) => cluster.PostAsync(
                "apis/handoff.dev/v1alpha1/handoffnodes",
                "{\"apiVersion\":\"handoff.dev/v1alpha1\",\"kind\":\"HandoffNode\",\"metadata\":{\"name\":\"" + name +
                "\"},\"spec\":{\"capacity\":{\"cpu\":\"16\",\"memory\":\"64000\"}}}",
                ct), cancellationToken);
            server.WriteKubeconfig(cluster.KubeconfigPath);
            if (startOperator)
            {
                await cluster.StartOperatorAsync(leaderElect: false, cancellationToken);
                // The operator's first pass marks every HandoffNode Ready: wait for it so setup writes are not counted.
                await cluster.WaitForOperatorIdleAsync(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5), cancellationToken);
            }

            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts another operator process (it becomes <see cref="Operator"/>) and waits until it is ready.</summary>
    public async Task<OperatorProcess> StartOperatorAsync(bool leaderElect, CancellationToken cancellationToken)
    {
        var op = await OperatorProcess.StartAsync(KubeconfigPath, leaderElect, cancellationToken);
        Operators.Add(op);
        Operator = op;
        return op;
    }

    /// <summary>Creates namespace <paramref name="name"/>.</summary>
    public Task CreateNamespaceAsync(string name, CancellationToken cancellationToken) =>
        PostAsync("api/v1/namespaces", $$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{name}}}"}}""", cancellationToken);

    /// <summary>Runs <paramref name="action"/> for every item with <see cref="ClientConcurrency"/> requests in flight.</summary>
    public Task ForEachAsync<T>(IEnumerable<T> items, Func<T, CancellationToken, Task> action, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(
            items, new ParallelOptions { MaxDegreeOfParallelism = ClientConcurrency, CancellationToken = cancellationToken },
            async (item, ct) => await action(item, ct));

    /// <summary>POSTs a JSON object; throws with the API's answer when it is not 201.</summary>
    public async Task PostAsync(string path, string json, CancellationToken cancellationToken)
    {
        using var body = new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
        using var response = await Http.PostAsync(new Uri(path, UriKind.Relative), body, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException(
                $"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }

    /// <summary>The operator's requests so far, by verb and resource (e.g. <c>create pods/binding</c>).</summary>
    public Dictionary<string, long> OperatorRequests() => Server.Requests.Snapshot()
        .Where(r => r.Key.UserAgent.StartsWith("handoff-operator/", StringComparison.Ordinal))
        .GroupBy(r => r.Key.Verb + " " + r.Key.Resource, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.Sum(r => r.Value), StringComparer.Ordinal);

    /// <summary>The operator's write requests between two snapshots of <see cref="OperatorRequests"/>.</summary>
    public static long WritesBetween(IReadOnlyDictionary<string, long> before, IReadOnlyDictionary<string, long> after) =>
        after.Where(r => SandboxRequestKind.IsWriteVerb(r.Key.Split(' ')[0])).Sum(r => r.Value - before.GetValueOrDefault(r.Key));

    /// <summary>
    /// How many objects a list of <paramref name="path"/> (a collection URL, with or without a query) returns, read from
    /// one item and <c>remainingItemCount</c> so that counting 200,000 objects does not transfer them.
    /// </summary>
    public async Task<long> CountAsync(string path, CancellationToken cancellationToken)
    {
        var separator = path.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        using var response = await Http.GetAsync(new Uri(path + separator + "limit=1", UriKind.Relative), cancellationToken);
        response.EnsureSuccessStatusCode();
        using var doc = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStreamAsync(cancellationToken));
        var items = doc.RootElement.GetProperty("items").GetArrayLength();
        return items + (doc.RootElement.GetProperty("metadata").TryGetProperty("remainingItemCount", out var remaining) ? remaining.GetInt64() : 0);
    }

    /// <summary>
    /// Waits until the operator has sent no request for <paramref name="quiet"/> (its work is done: passes are driven by
    /// watch events, so an idle operator sends nothing but watch renewals). Lease requests do not count: with leader
    /// election on, the leader renews and a standby polls every 2 s whatever else happens.
    /// </summary>
    public async Task WaitForOperatorIdleAsync(TimeSpan quiet, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var total = Stopwatch.StartNew();
        var lastCount = -1L;
        var since = Stopwatch.StartNew();
        while (true)
        {
            var count = OperatorRequests().Where(r => !r.Key.EndsWith(" leases", StringComparison.Ordinal)).Sum(r => r.Value);
            if (count != lastCount)
            {
                (lastCount, since) = (count, Stopwatch.StartNew());
            }
            else if (since.Elapsed >= quiet)
            {
                return;
            }

            if (total.Elapsed > timeout)
            {
                throw new TimeoutException($"the operator kept sending requests for {timeout}: {Operator.LastLines}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var op in Operators)
        {
            await op.DisposeAsync();
        }

        Http.Dispose();
        await Server.DisposeAsync();
        Directory.Delete(_kubeconfigDirectory, recursive: true);
    }
}
