using k8s;
using k8s.Models;

namespace Handoff.Api.Manifests;

/// <summary>A manifest object deserialized into its typed model (<see cref="ManifestKinds"/>).</summary>
/// <param name="Manifest">What was read: source, JSON and field lines.</param>
/// <param name="Object">The typed object, e.g. a <see cref="V1Alpha1.HandoffFunction"/> or a <see cref="V1Pod"/>.</param>
public sealed record ManifestDocument(ManifestObject Manifest, IKubernetesObject<V1ObjectMeta> Object)
{
    /// <summary>Where the object starts (<c>examples/dag/dag.yaml:12</c>).</summary>
    public ManifestLocation Location => Manifest.Location;
}
