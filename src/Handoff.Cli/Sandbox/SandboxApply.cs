using System.Text.Json.Nodes;
using Handoff.Api.Manifests;
using Handoff.Api.V1Alpha1;
using Handoff.Sandbox;
using k8s;

namespace Handoff.Cli.Sandbox;

/// <summary>
/// <c>--apply</c>: like <c>kubectl apply -R -f</c>, reading what <c>handoff plan -f</c> reads. With the operator running, HandoffNodes go first (each with a
/// simulated Kubernetes node when none exists) and the rest follows once the operator reports them Ready, so functions
/// are placed on the complete set of nodes, as <c>handoff plan</c> places them.
/// </summary>
internal static class SandboxApply
{
    private static readonly TimeSpan NodesReadyWait = TimeSpan.FromSeconds(5);

    /// <param name="beforeWorkload">Called just before the objects other than HandoffNodes are applied.</param>
    public static async Task ApplyAsync(
        SandboxServer server, IEnumerable<string> paths, NodeMirror? mirror, TextWriter output, Action beforeWorkload,
        CancellationToken cancellationToken)
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

        var nodes = mirror is null ? [] : documents.Where(d => IsHandoffNode(d.Object)).ToList();
        foreach (var (_, node) in nodes)
        {
            if (KubernetesNodeName(node) is { Length: > 0 } name)
            {
                await mirror!.EnsureAsync(name, cancellationToken);
            }
        }

        foreach (var (file, node) in nodes)
        {
            await ApplyOneAsync(server, file, node, output, cancellationToken);
        }

        if (nodes.Count > 0)
        {
            await WaitForReadyAsync(server, [.. nodes.Select(n => n.Object["metadata"]?["name"]?.GetValue<string>() ?? "")], cancellationToken);
        }

        beforeWorkload();
        foreach (var (file, obj) in documents.Where(d => mirror is null || !IsHandoffNode(d.Object)))
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

    private static bool IsHandoffNode(JsonObject obj) =>
        obj["apiVersion"] is JsonValue v && v.TryGetValue<string>(out var apiVersion) && apiVersion == HandoffApi.ApiVersion &&
        obj["kind"] is JsonValue k && k.TryGetValue<string>(out var kind) && kind == HandoffApi.NodeKind;

    private static string? KubernetesNodeName(JsonObject node)
    {
        var spec = node["spec"]?["nodeName"];
        var meta = node["metadata"]?["name"];
        return spec is JsonValue s && s.TryGetValue<string>(out var nodeName) && nodeName.Length > 0 ? nodeName
            : meta is JsonValue m && m.TryGetValue<string>(out var name) ? name : null;
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
