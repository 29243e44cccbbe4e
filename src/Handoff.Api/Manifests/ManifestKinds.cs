using Handoff.Api.V1Alpha1;
using k8s.Models;

namespace Handoff.Api.Manifests;

/// <summary>A kind the manifest reader can deserialize into a typed model.</summary>
/// <param name="ApiVersion"><c>group/version</c>, or <c>v1</c> for the core group.</param>
/// <param name="Kind">The kind, e.g. <c>Pod</c>.</param>
/// <param name="Type">The model type.</param>
/// <param name="Namespaced">Whether objects of the kind live in a namespace (<c>default</c> when the manifest names none).</param>
public sealed record ManifestKind(string ApiVersion, string Kind, Type Type, bool Namespaced)
{
    /// <summary><c>handoff.dev/v1alpha1 HandoffFunction</c>.</summary>
    public override string ToString() => $"{ApiVersion} {Kind}";
}

/// <summary>
/// The kinds <c>handoff plan</c> reads: Handoff's own and the Kubernetes kinds a plan of a real cluster needs (Nodes
/// and their pods, Jobs, PriorityClasses, Namespaces). Every other kind can still be read as JSON
/// (<see cref="ManifestObject"/>), e.g. by <c>handoff sandbox --apply</c>, which sends whatever it reads.
/// </summary>
public static class ManifestKinds
{
    /// <summary>The namespace of a namespaced object whose manifest names none (as <c>kubectl apply</c> in the default context).</summary>
    public const string DefaultNamespace = Mapping.HandoffMapper.DefaultNamespace;

    public static IReadOnlyList<ManifestKind> All { get; } =
    [
        new(HandoffApi.ApiVersion, HandoffApi.NodeKind, typeof(HandoffNode), Namespaced: false),
        new(HandoffApi.ApiVersion, HandoffApi.FunctionKind, typeof(HandoffFunction), Namespaced: true),
        new(HandoffApi.ApiVersion, HandoffApi.QueueKind, typeof(HandoffQueue), Namespaced: false),
        new("v1", "Node", typeof(V1Node), Namespaced: false),
        new("v1", "Pod", typeof(V1Pod), Namespaced: true),
        new("v1", "Namespace", typeof(V1Namespace), Namespaced: false),
        new("batch/v1", "Job", typeof(V1Job), Namespaced: true),
        new("scheduling.k8s.io/v1", "PriorityClass", typeof(V1PriorityClass), Namespaced: false),
    ];

    private static readonly Dictionary<(string, string), ManifestKind> s_byName =
        All.ToDictionary(k => (k.ApiVersion, k.Kind));

    private static readonly Dictionary<Type, ManifestKind> s_byType = All.ToDictionary(k => k.Type);

    /// <summary>The typed kind of <paramref name="apiVersion"/>/<paramref name="kind"/>, or null.</summary>
    public static ManifestKind? Find(string apiVersion, string kind) => s_byName.GetValueOrDefault((apiVersion, kind));

    /// <summary>The kind of a model type, or null (list items of built-in kinds come without their kind: this gives it back).</summary>
    public static ManifestKind? Of(Type type) => s_byType.GetValueOrDefault(type);
}
