using Handoff.Core.Nodes;

namespace Handoff.Cli.Why;

/// <summary>
/// What <c>handoff why</c> shows for one function or pod: its status as the operator wrote it, the reason it is where
/// it is (<see cref="Why"/>, from Handoff.Core's rules applied to the cluster now), its args, one row per HandoffNode,
/// and when it is likely to start.
/// </summary>
internal sealed record WhyReport(string Subject, string? Phase)
{
    /// <summary>The operator's (or scheduler's) reason and message, as written in the status.</summary>
    public string? Reason { get; init; }

    public string? Message { get; init; }

    /// <summary>The reason it is where it is, now: one sentence.</summary>
    public required string Why { get; init; }

    /// <summary>Label/value lines: node, pod, strategy, cost, queue and position, attempts.</summary>
    public IReadOnlyList<(string Label, string Value)> Details { get; init; } = [];

    public IReadOnlyList<ArgRow> Args { get; init; } = [];

    /// <summary>The resources of its cost, the columns of <see cref="NodeRow.Resources"/>.</summary>
    public IReadOnlyList<string> Resources { get; init; } = [];

    public IReadOnlyList<NodeRow> Nodes { get; init; } = [];

    /// <summary>When it is likely to start, or why that is unknown; null when it already started.</summary>
    public string? LikelyStart { get; init; }
}

/// <summary>One arg: its phase and node, and whether it holds the function back.</summary>
internal sealed record ArgRow(string Name, string? Phase, string? Node, string Note);

/// <summary>
/// One HandoffNode as a placement sees it: each filter (cordon, Ready, selector, taints, pin/collocation), what is needed
/// and free of each resource, and the verdict (the first reason it is not taken, or that it fits).
/// </summary>
internal sealed record NodeRow(string Name, string Verdict, bool Fits)
{
    public bool Cordoned { get; init; }

    public bool Ready { get; init; }

    /// <summary>Null when the function or pod has no selector/affinity.</summary>
    public bool? SelectorMatches { get; init; }

    /// <summary>Null when it is not pinned or collocated.</summary>
    public bool? PinMatches { get; init; }

    public Taint? UntoleratedTaint { get; init; }

    public IReadOnlyList<ResourceCell> Resources { get; init; } = [];

    /// <summary>The function already holds this node.</summary>
    public bool Holds { get; init; }
}

/// <summary>What is needed and free of one resource on one node (milli-units).</summary>
internal sealed record ResourceCell(string Resource, long Need, long Free, long Capacity)
{
    public bool Short => Need > Free;
}
