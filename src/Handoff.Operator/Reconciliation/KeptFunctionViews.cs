using Handoff.Api.V1Alpha1;

namespace Handoff.Operator.Reconciliation;

/// <summary>
/// The function views a pass made (<see cref="FunctionLifecycleStep"/>), index for index with its listing of functions
/// and their keys (null where none is kept: a function being deleted, or one whose state was derived reading the time),
/// and the pod view they were made with. The next pass walks the two listings side by side and uses a view again where
/// its listing holds the same object under the same key and that function's pods did not change — without looking the
/// function up.
/// </summary>
internal sealed class KeptFunctionViews
{
    public IReadOnlyList<string> Keys { get; private set; } = [];

    public IReadOnlyList<HandoffFunction> Items { get; private set; } = [];

    public IReadOnlyList<FunctionView?> Views { get; private set; } = [];

    /// <summary>The pod view's build number (<see cref="PodView.BuildNumber"/>) the views were made with; -1 for none.</summary>
    public int PodBuild { get; private set; } = -1;

    public void Keep(IReadOnlyList<string> keys, IReadOnlyList<HandoffFunction> items, IReadOnlyList<FunctionView?> views, int podBuild) =>
        (Keys, Items, Views, PodBuild) = (keys, items, views, podBuild);

    public void Clear() => Keep([], [], [], -1);
}
