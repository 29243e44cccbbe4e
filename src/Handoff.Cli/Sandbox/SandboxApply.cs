using System.Text.Json.Nodes;
using Handoff.Api.Manifests;
using Handoff.Api.V1Alpha1;
using Handoff.Core.Nodes;
using Handoff.Sandbox;
using k8s;

namespace Handoff.Cli.Sandbox;

/// <summary>
/// <c>--apply</c>: like <c>kubectl apply -R -f</c>, reading what <c>handoff plan -f</c> reads. With the operator running,
/// HandoffNodes go first (so that node discovery, when on, leaves the hand-written ones alone), then Kubernetes Node
/// manifests become simulated nodes (as if their kubelets registered them), then each HandoffNode without its Node
/// gets a simulated one (<see cref="NodeMirror"/>); the rest follows once the operator reports every HandoffNode Ready —
/// those applied and those discovery makes for the Node manifests it matches — so functions are placed on the complete
/// set of nodes, as <c>handoff plan</c> (with the same <c>--discover-nodes</c>) places them.
/// </summary>
internal static class SandboxApply
{
    private static readonly TimeSpan NodesReadyWait = TimeSpan.FromSeconds(5);

    /// <param name="beforeWorkload">Called just before the objects other than HandoffNodes are applied.</param>
    /// <param name="discoverNodes">The operator's discovery selector (null = discovery off, "" = every Node).</param>
    public static async Task ApplyAsync(
        SandboxServer server, IEnumerable<string> paths, NodeMirror? mirror, TextWriter output, Action beforeWorkload,
        string? discoverNodes, CancellationToken cancellationToken)
    {
        // The one manifest reader: the same objects `handoff plan -f` reads, of whatever kind, sent as they are.
        var documents = new List<(string File, JsonObject Object)>();
        try
        {
            foreach (var file in ManifestPaths.Expand(paths))
            {
                cancellationToken.ThrowIfCancellationRequested();
                documents.AddRange(ManifestReader.Read(file, Console.In).Select(o => (o.Source, o.Json)));
            }
        }
        catch (ManifestException e)
        {
            throw new SandboxException(e.Message, e);
        }

        // HandoffNodes first, then the Kubernetes Nodes as simulated nodes (a kubelet registering them), then one for
        // each HandoffNode without its Node.
        var kubernetesNodes = new List<SandboxNode>();
        foreach (var (file, node) in mirror is null ? [] : documents.Where(d => Is(d.Object, "v1", "Node")))
        {
            try
            {
                kubernetesNodes.Add(SandboxNode.FromManifest(node));
            }
            catch (FormatException e)
            {
                throw new SandboxException($"{file}: {e.Message}", e);
            }
        }

        var nodes = mirror is null ? [] : documents.Where(d => IsHandoffNode(d.Object)).ToList();
        var names = nodes.Select(n => n.Object["metadata"]?["name"]?.GetValue<string>() ?? "").ToList();
        if (mirror is not null)
        {
            await mirror.ReserveAsync(kubernetesNodes.Select(n => n.Name), cancellationToken);
            foreach (var (file, node) in nodes)
            {
                await ApplyOneAsync(server, file, node, output, cancellationToken);
            }

            foreach (var node in kubernetesNodes)
            {
                await mirror.AddAsync(node, cancellationToken);
            }

            foreach (var (_, node) in nodes)
            {
                await mirror.EnsureAsync(NodeMirror.Mirrored(KubernetesJson.Deserialize<HandoffNode>(node.ToJsonString())), cancellationToken);
            }

            if (discoverNodes is not null)
            {
                var selector = LabelSelectorParser.Parse(discoverNodes);
                names.AddRange(kubernetesNodes.Where(n => selector.Matches(n.Labels) && !names.Contains(n.Name)).Select(n => n.Name));
            }
        }

        if (names.Count > 0)
        {
            await WaitForReadyAsync(server, names, cancellationToken);
        }

        beforeWorkload();
        foreach (var (file, obj) in documents.Where(d => mirror is null || !(IsHandoffNode(d.Object) || Is(d.Object, "v1", "Node"))))
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

    private static bool IsHandoffNode(JsonObject obj) => Is(obj, HandoffApi.ApiVersion, HandoffApi.NodeKind);

    private static bool Is(JsonObject obj, string apiVersion, string kind) =>
        obj["apiVersion"] is JsonValue v && v.TryGetValue<string>(out var a) && a == apiVersion &&
        obj["kind"] is JsonValue k && k.TryGetValue<string>(out var named) && named == kind;

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
