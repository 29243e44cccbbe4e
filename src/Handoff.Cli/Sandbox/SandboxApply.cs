using System.Text.Json.Nodes;
using Handoff.Api.V1Alpha1;
using Handoff.Core.Nodes;
using Handoff.Sandbox;
using k8s;

namespace Handoff.Cli.Sandbox;

/// <summary>
/// <c>--apply</c>: like <c>kubectl apply -R -f</c>, reading what <c>handoff plan -f</c> reads. With the operator running,
/// Kubernetes Node manifests become simulated nodes before the operator starts (as if their kubelets had registered
/// them: its first list sees them as described, taints and all — registering one again under a running operator left
/// a moment in which the operator still saw the default node of that name and placed work on it), then HandoffNodes
/// go (so that node discovery, when on, leaves the hand-written ones alone), then each HandoffNode without its Node
/// gets a simulated one (<see cref="NodeMirror"/>); the rest follows once the operator reports every HandoffNode Ready —
/// those applied and those discovery makes for the Node manifests it matches — so functions are placed on the complete
/// set of nodes, as <c>handoff plan</c> (with the same <c>--discover-nodes</c>) places them.
/// </summary>
internal static class SandboxApply
{
    private static readonly TimeSpan NodesReadyWait = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Registers the Node manifests' simulated nodes; one of the sandbox's default nodes of the same name is registered
    /// again from its manifest. Call before the operator starts.
    /// </summary>
    /// <param name="log">Where to say what was registered (null = quiet).</param>
    public static async Task RegisterNodesAsync(SandboxServer server, SandboxManifests manifests, TextWriter? log)
    {
        foreach (var node in manifests.KubernetesNodes)
        {
            string line;
            if (!server.Kubelet.NodeNames.Contains(node.Name))
            {
                server.Kubelet.AddNode(node);
                line = $"simulated node {node.Name} registered from its Node manifest";
            }
            else
            {
                line = server.Kubelet.ReplaceNode(node)
                    ? $"simulated node {node.Name} registered again from its Node manifest"
                    : $"warning: Node {node.Name} already exists and pods are bound to it: its manifest is not applied";
            }

            if (log is not null)
            {
                await log.WriteLineAsync(line);
            }
        }
    }

    /// <param name="beforeWorkload">Called just before the objects other than HandoffNodes are applied.</param>
    /// <param name="discoverNodes">The operator's discovery selector (null = discovery off, "" = every Node).</param>
    public static async Task ApplyAsync(
        SandboxServer server, SandboxManifests manifests, NodeMirror? mirror, TextWriter output, Action beforeWorkload,
        string? discoverNodes, CancellationToken cancellationToken)
    {
        var nodes = mirror is null ? [] : manifests.Documents.Where(d => SandboxManifests.IsHandoffNode(d.Object)).ToList();
        var names = nodes.Select(n => n.Object["metadata"]?["name"]?.GetValue<string>() ?? "").ToList();
        if (mirror is not null)
        {
            foreach (var (file, node) in nodes)
            {
                await ApplyOneAsync(server, file, node, output, cancellationToken);
            }

            foreach (var (_, node) in nodes)
            {
                await mirror.EnsureAsync(NodeMirror.Mirrored(KubernetesJson.Deserialize<HandoffNode>(node.ToJsonString())), cancellationToken);
            }

            if (discoverNodes is not null)
            {
                var selector = LabelSelectorParser.Parse(discoverNodes);
                names.AddRange(manifests.KubernetesNodes.Where(n => selector.Matches(n.Labels) && !names.Contains(n.Name)).Select(n => n.Name));
            }
        }

        if (names.Count > 0)
        {
            await WaitForReadyAsync(server, names, cancellationToken);
        }

        beforeWorkload();
        var workload = manifests.Documents.Where(d =>
            mirror is null || !(SandboxManifests.IsHandoffNode(d.Object) || SandboxManifests.IsKubernetesNode(d.Object)));
        foreach (var (file, obj) in workload)
        {
            await ApplyOneAsync(server, file, obj, output, cancellationToken);
        }
    }

    private static async Task ApplyOneAsync(SandboxServer server, string file, JsonObject obj, TextWriter output, CancellationToken cancellationToken)
    {
        foreach (var line in await server.ApplyAsync(obj.ToJsonString(), file, cancellationToken))
        {
            await output.WriteLineAsync(line);
        }
    }

    /// <summary>Waits (briefly) until the operator has seen every applied HandoffNode Ready; continues regardless after a few seconds.</summary>
    private static async Task WaitForReadyAsync(SandboxServer server, IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        using var client = server.CreateClient();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(25));
        var deadline = DateTimeOffset.UtcNow + NodesReadyWait;
        do
        {
            var list = await client.CustomObjects.ListClusterCustomObjectAsync<HandoffNodeList>(
                HandoffApi.Group, HandoffApi.Version, HandoffApi.NodePlural, cancellationToken: cancellationToken);
            var ready = list.Items
                .Where(n => n.Status?.Conditions?.Any(c => c.Type == ConditionTypes.Ready && c.Status == ConditionStatus.True) == true)
                .Select(n => n.Metadata.Name)
                .ToHashSet(StringComparer.Ordinal);
            if (names.All(ready.Contains))
            {
                return;
            }
        }
        while (DateTimeOffset.UtcNow < deadline && await timer.WaitForNextTickAsync(cancellationToken));
    }
}
