using System.Collections.Immutable;

namespace Handoff.Operator.Reconciliation;

/// <summary>
/// What changed between two builds of the term's pod view (<see cref="PodMemos"/>): the holders (pod keys) whose live
/// placement may differ, the Kubernetes Nodes where everyone else's requests may, and the functions (by UID) whose pods
/// may.
/// </summary>
/// <param name="Since">The build these changes are from.</param>
public sealed record HoldingChanges(int Since, ISet<string> Holders, ISet<string> ExternalNodes, ISet<string> Owners)
{
    /// <summary>Nothing changed since the build <paramref name="since"/>.</summary>
    public static HoldingChanges None(int since) => new(since, ImmutableHashSet<string>.Empty, ImmutableHashSet<string>.Empty, ImmutableHashSet<string>.Empty);

    /// <summary>Changes since the build <paramref name="since"/>, filled as the changed pods are looked at.</summary>
    public static HoldingChanges Collecting(int since) =>
        new(since, new HashSet<string>(StringComparer.Ordinal), new HashSet<string>(StringComparer.Ordinal), new HashSet<string>(StringComparer.Ordinal));
}
