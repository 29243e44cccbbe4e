using System.Text.Json.Nodes;
using Handoff.Api.Manifests;
using Handoff.Api.V1Alpha1;
using Handoff.Sandbox;

namespace Handoff.Cli.Sandbox;

/// <summary>
/// What <c>--apply</c> names, read once with the one manifest reader (the objects <c>handoff plan -f</c> reads), and
/// its Kubernetes Node manifests as the simulated nodes they describe when the operator runs in the sandbox.
/// </summary>
internal sealed class SandboxManifests
{
    private SandboxManifests(IReadOnlyList<(string File, JsonObject Object)> documents, IReadOnlyList<SandboxNode> kubernetesNodes)
    {
        Documents = documents;
        KubernetesNodes = kubernetesNodes;
    }

    /// <summary>Every object, with the file it came from, in the order read.</summary>
    public IReadOnlyList<(string File, JsonObject Object)> Documents { get; }

    /// <summary>The <c>v1 Node</c> manifests as simulated nodes (a kubelet registering each); empty unless asked for.</summary>
    public IReadOnlyList<SandboxNode> KubernetesNodes { get; }

    /// <param name="nodesAsSimulated">Turn Node manifests into simulated nodes (the operator runs in the sandbox).</param>
    /// <exception cref="SandboxException">A file cannot be read, or a Node manifest does not describe a node.</exception>
    public static SandboxManifests Read(IEnumerable<string> paths, bool nodesAsSimulated, CancellationToken cancellationToken)
    {
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

        var nodes = new List<SandboxNode>();
        foreach (var (file, node) in nodesAsSimulated ? documents.Where(d => IsKubernetesNode(d.Object)) : [])
        {
            try
            {
                nodes.Add(SandboxNode.FromManifest(node));
            }
            catch (FormatException e)
            {
                throw new SandboxException($"{file}: {e.Message}", e);
            }
        }

        return new SandboxManifests(documents, nodes);
    }

    public static bool IsHandoffNode(JsonObject obj) => Is(obj, HandoffApi.ApiVersion, HandoffApi.NodeKind);

    public static bool IsKubernetesNode(JsonObject obj) => Is(obj, "v1", "Node");

    private static bool Is(JsonObject obj, string apiVersion, string kind) =>
        obj["apiVersion"] is JsonValue v && v.TryGetValue<string>(out var a) && a == apiVersion &&
        obj["kind"] is JsonValue k && k.TryGetValue<string>(out var named) && named == kind;
}
