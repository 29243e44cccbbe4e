using Handoff.Core.Resources;

namespace Handoff.Operator.Reconciliation;

/// <summary>
/// The status a pass wants a HandoffQueue to have — a value: equal reports mean nothing to write. Usage and borrowed
/// are compared through their text.
/// </summary>
public sealed record QueueReport(string Name, int Pending, int Admitted, ResourceList Usage, ResourceList Borrowed, IReadOnlyList<string> Problems)
{
    public bool Active => Problems.Count == 0;

    public string ActiveReason => Active ? "Admitting" : "InvalidSpec";

    public string ActiveMessage => Active ? "the queue admits work" : string.Join("; ", Problems);

    public bool Equals(QueueReport? other) =>
        other is not null && Name == other.Name && Pending == other.Pending && Admitted == other.Admitted && Usage.ToString() == other.Usage.ToString()
        && Borrowed.ToString() == other.Borrowed.ToString() && Problems.SequenceEqual(other.Problems);

    public override int GetHashCode() => HashCode.Combine(Name, Pending, Admitted, Usage.ToString(), Borrowed.ToString());
}
