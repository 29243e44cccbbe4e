using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Handoff.Chaos.Cluster;
using Handoff.Chaos.Workload;
using Handoff.Sandbox;

namespace Handoff.Chaos.Run;

/// <summary>
/// Plays the workload's users: creates each function at its arrival time (the functions of a group in a seeded
/// shuffled order, so dependents often exist before their args), makes flaky functions' code succeed once their k-th
/// attempt failed (the world changing, as a flaky dependency recovers: the function's
/// <c>handoff.dev/sandbox-exit-code</c>, copied to the pods of later attempts, becomes 0), and deletes and re-creates
/// functions when the fault plan says so.
/// </summary>
public sealed class WorkloadDriver : IDisposable
{
    private const string ExitCodeAnnotation = "handoff.dev/sandbox-exit-code";

    private readonly ChaosCluster _cluster;
    private readonly ChaosWorkload _workload;
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _created = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _patched = new(StringComparer.Ordinal);
    private readonly Channel<(string Uid, string Name)> _recoveries = Channel.CreateUnbounded<(string, string)>();
    private readonly Dictionary<string, ChaosFunction> _flaky;
    private int _recreated;

    public WorkloadDriver(ChaosCluster cluster, ChaosWorkload workload)
    {
        _cluster = cluster;
        _workload = workload;
        _flaky = workload.Functions.Where(f => f.Behaviour == FunctionBehaviour.Flaky).ToDictionary(f => f.Name, StringComparer.Ordinal);
        foreach (var f in workload.Functions)
        {
            _created[f.Name] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        cluster.Server.Journal.Written += OnWrite;
    }

    /// <summary>Flaky functions whose code was made to succeed.</summary>
    public int Recoveries { get; private set; }

    /// <summary>Functions deleted and created again.</summary>
    public int Recreated => _recreated;

    /// <summary>Creates the functions at their arrival times and handles the recoveries of flaky ones until cancelled.</summary>
    public async Task CreateAllAsync(Stopwatch clock, CancellationToken cancellationToken)
    {
        var order = new Random(_workload.Seed + 1);
        foreach (var group in _workload.Functions.GroupBy(f => f.Arrival).OrderBy(g => g.Key))
        {
            var due = group.Key - clock.Elapsed;
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due, cancellationToken);
            }

            var functions = group.ToArray();
            order.Shuffle(functions);
            foreach (var f in functions)
            {
                await CreateAsync(f, cancellationToken);
                _created[f.Name].TrySetResult();
            }
        }
    }

    /// <summary>Applies the recoveries of flaky functions as their failures are seen, until cancelled.</summary>
    public async Task RecoverFlakyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var (uid, name) in _recoveries.Reader.ReadAllAsync(cancellationToken))
            {
                // JSON patch with a test on the uid: only the incarnation whose attempt failed recovers.
                var patch = new JsonArray(
                    new JsonObject { ["op"] = "test", ["path"] = "/metadata/uid", ["value"] = uid },
                    new JsonObject { ["op"] = "replace", ["path"] = "/metadata/annotations/" + ExitCodeAnnotation.Replace("/", "~1", StringComparison.Ordinal), ["value"] = "0" });
                var (status, _) = await _cluster.SendAsync(HttpMethod.Patch, FunctionPath(name), patch, cancellationToken, "application/json-patch+json");
                if (status == HttpStatusCode.OK)
                {
                    Recoveries++;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Deletes <paramref name="name"/> (once the driver has created it) and creates it again after <paramref name="gap"/>.</summary>
    public async Task DeleteAndRecreateAsync(string name, TimeSpan gap, CancellationToken cancellationToken)
    {
        await _created[name].Task.WaitAsync(cancellationToken);
        await _cluster.SendAsync(HttpMethod.Delete, FunctionPath(name), new JsonObject { ["propagationPolicy"] = "Background" }, cancellationToken);
        await Task.Delay(gap, cancellationToken);
        await CreateAsync(_workload.Function(name), cancellationToken);
        Interlocked.Increment(ref _recreated);
    }

    public void Dispose() => _cluster.Server.Journal.Written -= OnWrite;

    private async Task CreateAsync(ChaosFunction f, CancellationToken cancellationToken)
    {
        var path = $"apis/handoff.dev/v1alpha1/namespaces/{_workload.Namespace}/handofffunctions";
        for (var attempt = 0; ; attempt++)
        {
            var (status, body) = await _cluster.SendAsync(HttpMethod.Post, path, Manifest(f), cancellationToken);
            if (status == HttpStatusCode.Created)
            {
                return;
            }

            // 409: the deleted incarnation is still there (being deleted); try again shortly.
            if (status != HttpStatusCode.Conflict || attempt > 100)
            {
                throw new InvalidOperationException($"creating function {f.Name}: {(int)status} {body}");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    private string FunctionPath(string name) => $"apis/handoff.dev/v1alpha1/namespaces/{_workload.Namespace}/handofffunctions/{name}";

    private JsonObject Manifest(ChaosFunction f)
    {
        var failing = f.Behaviour != FunctionBehaviour.Succeeds;
        return new JsonObject
        {
            ["apiVersion"] = "handoff.dev/v1alpha1",
            ["kind"] = "HandoffFunction",
            ["metadata"] = new JsonObject
            {
                ["name"] = f.Name,
                ["namespace"] = _workload.Namespace,
                ["annotations"] = new JsonObject
                {
                    ["handoff.dev/sandbox-duration"] = ((long)f.Duration.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms",
                    [ExitCodeAnnotation] = (failing ? f.ExitCode : 0).ToString(CultureInfo.InvariantCulture),
                    ["handoff.dev/sandbox-result"] = f.Result,
                },
            },
            ["spec"] = new JsonObject
            {
                ["cost"] = ChaosCluster.Map(f.Cost),
                ["args"] = new JsonArray([.. f.Args.Select(a => (JsonNode?)JsonValue.Create(a))]),
                ["extraArgs"] = new JsonArray([.. f.ExtraArgs.Select(a => (JsonNode?)JsonValue.Create(a))]),
                ["strategy"] = f.Strategy,
                ["maxRetries"] = f.MaxRetries,
                ["template"] = new JsonObject
                {
                    ["spec"] = new JsonObject
                    {
                        ["containers"] = new JsonArray(new JsonObject
                        {
                            ["name"] = "main",
                            ["image"] = "busybox:1.36",
                            ["command"] = new JsonArray("sh", "-c", "echo \"$HANDOFF_ARGS\" > /dev/termination-log"),
                        }),
                    },
                },
            },
        };
    }

    /// <summary>On the API server's writer thread: a flaky function's k-th attempt failed (as the kubelet wrote it) → queue its recovery.</summary>
    private void OnWrite(SandboxWrite write)
    {
        if (write.Resource != "pods" || write.Namespace != _workload.Namespace || write.UserAgent.Length != 0 || write.Type != "MODIFIED" || _flaky.Count == 0)
        {
            return;
        }

        using var doc = write.Parse();
        var pod = doc.RootElement;
        if (!pod.TryGetProperty("status", out var status) || !status.TryGetProperty("phase", out var phase) || phase.GetString() != "Failed" ||
            !pod.GetProperty("metadata").TryGetProperty("labels", out var labels) ||
            !labels.TryGetProperty("handoff.dev/function", out var fn) || !_flaky.TryGetValue(fn.GetString()!, out var f) ||
            !labels.TryGetProperty("handoff.dev/attempt", out var attempt) || attempt.GetString() != f.FailingAttempts.ToString(CultureInfo.InvariantCulture))
        {
            return;
        }

        var owner = pod.GetProperty("metadata").TryGetProperty("ownerReferences", out var owners)
            ? owners.EnumerateArray().Select(o => o.GetProperty("uid").GetString()).FirstOrDefault()
            : null;
        if (owner is not null && _patched.TryAdd(owner, 0))
        {
            _recoveries.Writer.TryWrite((owner, f.Name));
        }
    }
}
