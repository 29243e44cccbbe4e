using Handoff.Core.Allocation;
using Handoff.Core.Dag;
using Handoff.Core.Lifecycle;
using Handoff.Operator.Reconciliation;

namespace Handoff.Operator.Tests.Support;

/// <summary>
/// The pure steps of a reconcile pass (2 to 6), run as <see cref="Reconciler"/> runs them, without its I/O: for the
/// tests of one step that need the steps before it to have run. <see cref="Functions"/> holds every function (the
/// finished ones the reconciler sets aside too: leaving them out changes nothing for the others, see
/// <see cref="FinishedWorkStep"/>), with <see cref="InputStep"/>'s verdicts.
/// </summary>
public sealed class PurePass
{
    private PurePass(ClusterSnapshot snapshot, TermState term)
    {
        Snapshot = snapshot;
        Term = term;
    }

    public ClusterSnapshot Snapshot { get; }

    public TermState Term { get; }

    public NodeView Nodes { get; private init; } = null!;

    public PodView Pods { get; private init; } = null!;

    public HoldingsSync Holdings { get; private init; } = null!;

    public IReadOnlyList<FunctionView> Functions { get; private init; } = [];

    public DependencyState[] Dependencies { get; private init; } = [];

    /// <summary>Step 4b with the operator's default policy (podGC Never, no TTL).</summary>
    public FinishedWork Finished { get; private init; } = null!;

    /// <summary>What each function offered to the cycle is handed (step 5b).</summary>
    public IReadOnlyDictionary<string, FunctionInputs> Inputs { get; private init; } = new Dictionary<string, FunctionInputs>();

    public SchedulingOutcome Scheduling { get; private init; } = null!;

    public static RetryPolicy Retry { get; } = new(3);

    public static PurePass Run(SnapshotBuilder snapshot, TermState? term = null) => Run(snapshot.Build(), term);

    /// <summary>Runs steps 2–6 over <paramref name="snapshot"/>, in <paramref name="term"/> (a new one by default).</summary>
    public static PurePass Run(ClusterSnapshot snapshot, TermState? term = null)
    {
        term ??= new TermState(AllocationStrategy.FirstAvailable);
        var nodes = NodeView.Build(snapshot, term.ParseNode);
        term.SyncNodes(nodes);
        var pods = PodView.Build(snapshot, nodes);
        var holdings = term.SyncHoldings(pods, nodes, PassDecisions.FallbackCosts(snapshot, term));
        var views = FunctionLifecycleStep.Build(snapshot, pods, term, Retry);
        var finished = FinishedWorkStep.Decide(views, FinishedWorkDefaults.Of(new OperatorOptions()), snapshot.Now);
        var dependencies = DependencyStep.Resolve(views);
        var (functions, inputs) = InputStep.Check(views, dependencies);
        var scheduling = SchedulingStep.Run(functions, dependencies, pods, nodes, term.Tracker, CancellationToken.None, QueueContext.From(snapshot));
        return new PurePass(snapshot, term)
        {
            Nodes = nodes,
            Pods = pods,
            Holdings = holdings,
            Functions = functions,
            Dependencies = dependencies,
            Finished = finished,
            Inputs = inputs,
            Scheduling = scheduling,
        };
    }

    public FunctionView Function(string name) => Functions.Single(f => f.Name == name);

    public DependencyState DependenciesOf(string name) => Dependencies[Functions.ToList().FindIndex(f => f.Name == name)];
}
