using System.Collections;

namespace Handoff.Operator.Reconciliation;

/// <summary>
/// A list made on first use: what a pass hands the scheduling cycle in case it needs it (the workloads holding capacity,
/// read only by quotas and preemption) is not built on the passes that never look.
/// </summary>
public sealed class DeferredList<T>(Func<IReadOnlyList<T>> make) : IReadOnlyList<T>
{
    private readonly Lazy<IReadOnlyList<T>> _items = new(make, LazyThreadSafetyMode.ExecutionAndPublication);

    public int Count => _items.Value.Count;

    public T this[int index] => _items.Value[index];

    public IEnumerator<T> GetEnumerator() => _items.Value.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
