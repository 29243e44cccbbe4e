using System.Globalization;
using System.Text.Json;
using Handoff.Api.V1Alpha1;
using Handoff.Operator.Tests.Rbac;
using Handoff.Sandbox;
using Handoff.Testing;
using Handoff.Testing.Builders;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Handoff.Operator.Tests.Support;

/// <summary>
/// A sandbox API server (real HTTPS) enforcing RBAC, with the CRDs installed, a fresh namespace in which the chart's
/// RBAC for the operator is installed (<see cref="ChartRbac"/>: operators started here authenticate as the chart's
/// ServiceAccount, so a call the chart does not grant fails the test), a KubernetesClient as the administrator, and
/// helpers to run operators against it and to act as the kubelet.
/// </summary>
public sealed class SandboxCluster : IAsyncDisposable
{
    private readonly List<RunningOperator> _operators = [];

    private SandboxCluster(SandboxServer server, KubernetesClientConfiguration config, string ns)
    {
        Server = server;
        Config = config;
        var client = new Kubernetes(config);
        Client = client;
        Streams = new Operator.Infrastructure.ApiStreams(client, config);
        Namespace = ns;
    }

    public SandboxServer Server { get; }

    /// <summary>The administrator's configuration (the test's own client).</summary>
    public KubernetesClientConfiguration Config { get; }

    /// <summary>The chart's RBAC installed for a release in <see cref="Namespace"/>.</summary>
    public ChartRbac Rbac { get; private set; } = null!;

    /// <summary>A token of the chart's ServiceAccount: the operator's identity.</summary>
    public string OperatorToken { get; private set; } = "";

    /// <summary>The configuration operators are started with: the chart's ServiceAccount token.</summary>
    public KubernetesClientConfiguration OperatorConfig => Server.CreateClientConfiguration(OperatorToken);

    public IKubernetes Client { get; }

    /// <summary>Raw GETs through <see cref="Client"/>'s pipeline, as the operator's informers send them.</summary>
    public Operator.Infrastructure.ApiStreams Streams { get; }

    public string Namespace { get; }

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// Starts a sandbox whose Kubernetes nodes are <paramref name="nodes"/> (all Ready), with the simulated kubelet off:
    /// tests drive pods. <paramref name="rbac"/> (the chart's RBAC, installed in <see cref="Namespace"/>) may be
    /// narrowed to prove that a rule is needed.
    /// </summary>
    public static Task<SandboxCluster> StartAsync(IEnumerable<string> nodes, bool simulateKubelet = false, string? ns = null, Func<ChartRbac, ChartRbac>? rbac = null) =>
        StartAsync(nodes.Select(n => new SandboxNode(n)), simulateKubelet, ns, rbac);


    /// <summary>
    /// Starts a sandbox with the Kubernetes nodes given (allocatable, labels, taints as each says); <paramref name="chartValues"/>
    /// are <c>--set</c> for the chart whose RBAC the operator gets (e.g. <c>discoverNodes.enabled=true</c>).
    /// </summary>
    public static async Task<SandboxCluster> StartAsync(
        IEnumerable<SandboxNode> nodes, bool simulateKubelet = false, string? ns = null, Func<ChartRbac, ChartRbac>? rbac = null, IReadOnlyList<string>? chartValues = null)
    {
        var server = await SandboxServer.StartAsync(
            new SandboxOptions
            {
                Port = 0,
                Nodes = [.. nodes],
                SimulateKubelet = simulateKubelet,
                DefaultPodDuration = TimeSpan.FromMilliseconds(200),
                Rbac = true,
                RecordWrites = true, // the accepted writes, with who made them (SandboxServer.Journal)
            },
            Ct);
        try
        {
            await server.ApplyPathAsync(RepoPaths.Crds, Ct);
            var config = server.CreateClientConfiguration();
            var cluster = new SandboxCluster(server, config, ns ?? "t-" + Guid.NewGuid().ToString("N")[..10]);
            if (ns is null)
            {
                await cluster.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = cluster.Namespace } }, cancellationToken: Ct);
            }

            var chart = await ChartRbac.RenderAsync(cluster.Namespace, Ct, chartValues);
            cluster.Rbac = rbac?.Invoke(chart) ?? chart;
            cluster.OperatorToken = await cluster.Rbac.InstallAsync(server, Ct);
            return cluster;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public async Task<RunningOperator> StartOperatorAsync(
        OperatorOptions? options = null, TimeProvider? time = null, Func<DelegatingHandler[]>? handlers = null,
        KubernetesClientConfiguration? config = null)
    {
        var op = await OperatorHost.StartAsync(
            // Idle trims off unless a test asks: the test process's allocations are not the operator's.
            (options ?? new OperatorOptions { IdleMemoryTrim = TimeSpan.Zero }) with { MetricsAddress = "", ProbeAddress = "", LogLevel = options?.LogLevel ?? "Warning" },
            config ?? OperatorConfig,
            new OperatorHostSettings
            {
                TimeProvider = time,
                HttpHandlers = handlers,
                ConfigureLogging = logging => logging.AddProvider(new TestLoggerProvider()),
            },
            Ct);
        lock (_operators)
        {
            _operators.Add(op);
        }

        return op;
    }

    public async Task StopOperatorAsync(RunningOperator op)
    {
        lock (_operators)
        {
            _operators.Remove(op);
        }

        await op.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        List<RunningOperator> ops;
        lock (_operators)
        {
            ops = [.. _operators];
            _operators.Clear();
        }

        foreach (var op in ops)
        {
            await op.DisposeAsync();
        }

        Client.Dispose();
        await Server.DisposeAsync();
    }

    // ---- objects ---------------------------------------------------------------------------------------------

    public async Task<HandoffNode> CreateNodeAsync(
        string name, IDictionary<string, string> capacity, IDictionary<string, string>? labels = null, bool unschedulable = false,
        string? nodeName = null)
    {
        var builder = TestObjects.HandoffNode(name).Cordoned(unschedulable);
        foreach (var (resource, quantity) in capacity)
        {
            builder.Capacity(resource, quantity);
        }

        foreach (var (key, value) in labels ?? new Dictionary<string, string>())
        {
            builder.Label(key, value);
        }

        if (nodeName is not null)
        {
            builder.NodeName(nodeName);
        }

        var node = builder.BuildForCreate();
        return await Client.CustomObjects.CreateClusterCustomObjectAsync<HandoffNode>(
            node, HandoffApi.Group, HandoffApi.Version, HandoffApi.NodePlural, cancellationToken: Ct);
    }

    /// <summary>Creates the HandoffNode <paramref name="node"/> builds (e.g. one with <c>capacityFrom: Node</c>).</summary>
    public async Task<HandoffNode> CreateNodeAsync(HandoffNodeBuilder node) =>
        await Client.CustomObjects.CreateClusterCustomObjectAsync<HandoffNode>(
            node.BuildForCreate(), HandoffApi.Group, HandoffApi.Version, HandoffApi.NodePlural, cancellationToken: Ct);

    /// <summary>A function to create: one busybox container, the cost and args given (see <see cref="TestObjects.Function"/> for more).</summary>
    public static HandoffFunction Function(string name, IDictionary<string, string>? cost = null, params string[] args) =>
        TestObjects.Function(name).Cost(cost).Args(args).BuildForCreate();

    public async Task<HandoffFunction> CreateFunctionAsync(HandoffFunction function)
    {
        function.Metadata.NamespaceProperty = Namespace;
        return await Client.CustomObjects.CreateNamespacedCustomObjectAsync<HandoffFunction>(
            function, HandoffApi.Group, HandoffApi.Version, Namespace, HandoffApi.FunctionPlural, cancellationToken: Ct);
    }

    public async Task<HandoffFunction> GetFunctionAsync(string name) =>
        await Client.CustomObjects.GetNamespacedCustomObjectAsync<HandoffFunction>(
            HandoffApi.Group, HandoffApi.Version, Namespace, HandoffApi.FunctionPlural, name, cancellationToken: Ct);

    public async Task<IList<HandoffFunction>> ListFunctionsAsync() =>
        (await Client.CustomObjects.ListNamespacedCustomObjectAsync<HandoffFunctionList>(
            HandoffApi.Group, HandoffApi.Version, Namespace, HandoffApi.FunctionPlural, cancellationToken: Ct)).Items;

    public async Task<HandoffNode> GetNodeAsync(string name) =>
        await Client.CustomObjects.GetClusterCustomObjectAsync<HandoffNode>(
            HandoffApi.Group, HandoffApi.Version, HandoffApi.NodePlural, name, cancellationToken: Ct);

    public async Task<IList<V1Pod>> PodsAsync(string? function = null) =>
        (await Client.CoreV1.ListNamespacedPodAsync(
            Namespace, labelSelector: function is null ? HandoffApi.FunctionLabel : $"{HandoffApi.FunctionLabel}={function}",
            cancellationToken: Ct)).Items;

    public async Task<IList<Corev1Event>> EventsAsync() =>
        (await Client.CoreV1.ListNamespacedEventAsync(Namespace, cancellationToken: Ct)).Items;

    /// <summary>Waits until the function satisfies <paramref name="condition"/>; returns it.</summary>
    public async Task<HandoffFunction> WaitForFunctionAsync(string name, Func<HandoffFunction, bool> condition, string what, TimeSpan? timeout = null)
    {
        HandoffFunction? last = null;
        try
        {
            await Wait.UntilAsync(
                async () =>
                {
                    last = await GetFunctionAsync(name);
                    return condition(last);
                },
                $"{name} {what}",
                timeout);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException(ex.Message + "; last status: " + JsonSerializer.Serialize(last?.Status), ex);
        }

        return last!;
    }

    public Task<HandoffFunction> WaitForPhaseAsync(string name, string phase, TimeSpan? timeout = null) =>
        WaitForFunctionAsync(name, f => f.Status?.Phase == phase, "is " + phase, timeout);

    // ---- the test as kubelet --------------------------------------------------------------------------------

    /// <summary>Waits for the bound pod of the function's current attempt.</summary>
    public async Task<V1Pod> WaitForBoundPodAsync(string function, int? attempt = null)
    {
        V1Pod? found = null;
        await Wait.UntilAsync(
            async () =>
            {
                var pods = await PodsAsync(function);
                found = pods.Where(p => !string.IsNullOrEmpty(p.Spec.NodeName) && p.Status?.Phase is not ("Succeeded" or "Failed"))
                    .Where(p => attempt is null || p.Metadata.Labels[HandoffApi.AttemptLabel] == attempt.Value.ToString(CultureInfo.InvariantCulture))
                    .FirstOrDefault();
                return found is not null;
            },
            $"a bound pod of {function}");
        return found!;
    }

    /// <summary>Sets the pod Running (as a kubelet would).</summary>
    public async Task StartPodAsync(V1Pod pod)
    {
        var now = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var container = pod.Spec.Containers[0].Name;
        var status = new Dictionary<string, object?>
        {
            ["phase"] = "Running",
            ["startTime"] = now,
            ["containerStatuses"] = new[]
            {
                new Dictionary<string, object?>
                {
                    ["name"] = container,
                    ["image"] = pod.Spec.Containers[0].Image,
                    ["imageID"] = "",
                    ["ready"] = true,
                    ["started"] = true,
                    ["restartCount"] = 0,
                    ["state"] = new Dictionary<string, object?> { ["running"] = new Dictionary<string, object?> { ["startedAt"] = now } },
                },
            },
        };
        var patch = JsonSerializer.Serialize(new { status });
        await PatchPodStatusAsync(pod, patch);
    }

    /// <summary>Ends the pod with an exit code and a termination message (as a kubelet would).</summary>
    public async Task FinishPodAsync(V1Pod pod, string? message, int exitCode = 0)
    {
        var now = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var container = pod.Spec.Containers[0].Name;
        var terminated = new Dictionary<string, object?>
        {
            ["exitCode"] = exitCode,
            ["reason"] = exitCode == 0 ? "Completed" : "Error",
            ["message"] = message,
            ["startedAt"] = now,
            ["finishedAt"] = now,
        };
        var status = new Dictionary<string, object?>
        {
            ["phase"] = exitCode == 0 ? "Succeeded" : "Failed",
            ["containerStatuses"] = new[]
            {
                new Dictionary<string, object?>
                {
                    ["name"] = container,
                    ["image"] = pod.Spec.Containers[0].Image,
                    ["imageID"] = "",
                    ["ready"] = false,
                    ["restartCount"] = 0,
                    ["state"] = new Dictionary<string, object?> { ["terminated"] = terminated },
                },
            },
        };
        await PatchPodStatusAsync(pod, JsonSerializer.Serialize(new { status }));
    }

    private async Task PatchPodStatusAsync(V1Pod pod, string patch)
    {
        try
        {
            await Client.CoreV1.PatchNamespacedPodStatusAsync(
                new V1Patch(patch, V1Patch.PatchType.MergePatch), pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: Ct);
        }
        catch (HttpOperationException ex)
        {
            throw new InvalidOperationException($"patching {pod.Metadata.Name}/status failed: {ex.Response.Content}", ex);
        }
    }

    /// <summary>The HANDOFF_ARGS of the pod's first container.</summary>
    public static string[] ArgsOf(V1Pod pod) =>
        JsonSerializer.Deserialize<string[]>(pod.Spec.Containers[0].Env.First(e => e.Name == "HANDOFF_ARGS").Value)!;
}

/// <summary>Routes operator logs to the test output (warnings and above) for diagnosis.</summary>
public sealed class TestLoggerProvider : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new TestLogger(categoryName);

    public void Dispose()
    {
    }

    private sealed class TestLogger(string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            try
            {
                TestContext.Current.TestOutputHelper?.WriteLine($"[{logLevel}] {category}: {formatter(state, exception)}" + (exception is null ? "" : " " + exception.GetType().Name + ": " + exception.Message));
            }
            catch (InvalidOperationException)
            {
                // The test already finished.
            }
        }
    }
}
