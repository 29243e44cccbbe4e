using System.Net;
using System.Threading.Channels;
using Handoff.Api.V1Alpha1;
using Handoff.Core.Workloads;
using Handoff.Operator.Infrastructure;
using Handoff.Sandbox;
using k8s;
using k8s.Autorest;
using Microsoft.Extensions.Logging.Abstractions;

namespace Handoff.Cli.Sandbox;

/// <summary>
/// With the operator in the sandbox: every HandoffNode whose Kubernetes node (<c>spec.nodeName</c>, default its
/// name) does not exist gets a simulated node of that name, so that <c>kubectl apply -f examples/seed</c> runs
/// without first describing matching Kubernetes nodes (the operator only binds to Ready nodes that exist). The node
/// gets the HandoffNode's labels and, as allocatable, the Kubernetes resources of its <c>spec.capacity</c> (the
/// kubelet then admits exactly what Handoff places; Handoff-only names such as <c>gpu</c> are not a Node's); a
/// <c>capacityFrom: Node</c> HandoffNode gets the default node. Nodes are only added, never removed.
/// </summary>
internal sealed class NodeMirror : IAsyncDisposable
{
    private readonly SandboxServer _server;
    private readonly IKubernetes _client;
    private readonly TextWriter? _log;
    private readonly Channel<SandboxNode> _nodes = Channel.CreateUnbounded<SandboxNode>(new UnboundedChannelOptions { SingleReader = true });
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Task _watch = Task.CompletedTask;
    private Task _loop = Task.CompletedTask;

    /// <param name="client">Owned: disposed with the mirror.</param>
    /// <param name="log">Where to say which nodes were added (null = quiet).</param>
    private NodeMirror(SandboxServer server, IKubernetes client, TextWriter? log)
    {
        _server = server;
        _client = client;
        _log = log;
    }

    /// <param name="connection">Owned: its client is disposed with the mirror.</param>
    public static async Task<NodeMirror> StartAsync(SandboxServer server, SandboxConnection connection, TextWriter? log, CancellationToken cancellationToken)
    {
        var mirror = new NodeMirror(server, connection.Client, log);
        var watcher = new ResourceWatcher<HandoffNode>(
            WatchSources.HandoffNodes(connection.Streams, TimeSpan.FromSeconds(60)), TimeProvider.System, TimeSpan.Zero,
            NullLogger<ResourceWatcher<HandoffNode>>.Instance);
        watcher.Changed += (type, node) =>
        {
            if (type is WatchEventType.Added or WatchEventType.Modified)
            {
                mirror._nodes.Writer.TryWrite(Mirrored(node));
            }
        };
        mirror._watch = Task.Run(() => watcher.RunAsync(mirror._stopping.Token), CancellationToken.None);
        mirror._loop = Task.Run(() => mirror.LoopAsync(mirror._stopping.Token), CancellationToken.None);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, mirror._stopping.Token);
        await watcher.WaitForSyncAsync(linked.Token);
        return mirror;
    }

    /// <summary>The simulated node a HandoffNode asks for.</summary>
    public static SandboxNode Mirrored(HandoffNode node)
    {
        var name = string.IsNullOrEmpty(node.Spec?.NodeName) ? node.Metadata.Name : node.Spec.NodeName;
        var capacity = node.Spec?.CapacityFrom == CapacitySources.Node ? null : node.Spec?.Capacity;
        return new SandboxNode(name)
        {
            Labels = node.Metadata.Labels is { } labels ? new Dictionary<string, string>(labels, StringComparer.Ordinal) : new Dictionary<string, string>(),
            Allocatable = capacity?.Where(c => ComputeResources.IsKubernetesComputeResource(c.Key)).ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal)
                ?? new Dictionary<string, string>(),
        };
    }

    /// <summary>Adds <paramref name="node"/> as a simulated node unless a Kubernetes node of that name exists.</summary>
    public async Task EnsureAsync(SandboxNode node, CancellationToken cancellationToken)
    {
        var name = node.Name;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (!_known.Add(name))
            {
                return;
            }

            try
            {
                await _client.CoreV1.ReadNodeAsync(name, cancellationToken: cancellationToken);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                _server.Kubelet.AddNode(node);
                if (_log is not null)
                {
                    await _log.WriteLineAsync($"simulated node {name} added for a HandoffNode (the operator binds pods to existing Ready nodes only)");
                }
            }
            catch (HttpOperationException)
            {
                // The sandbox answered an error (e.g. injected faults): try again with the next event for it.
                _known.Remove(name);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var node in _nodes.Reader.ReadAllAsync(cancellationToken))
            {
                await EnsureAsync(node, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await Task.WhenAll(_watch, _loop).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        _stopping.Dispose();
        _gate.Dispose();
        (_client as IDisposable)?.Dispose();
    }
}
