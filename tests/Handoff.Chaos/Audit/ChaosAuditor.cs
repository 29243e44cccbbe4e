using Handoff.Sandbox;

namespace Handoff.Chaos.Audit;

/// <summary>
/// Replays the API server's write journal — every accepted write, in resourceVersion order — and checks the
/// operator's safety properties at every write, then the end state against what the workload dictates:
/// <list type="bullet">
/// <item>every binding against the capacity of its node at that moment, counting the node's live function pods (bound,
/// not terminal, terminating ones included) at the cost each was placed with (<c>handoff.dev/cost</c>); and no binding to
/// a node whose cordon the operator had acknowledged;</item>
/// <item>no pod bound twice; never two live pods for one function (owner UID);</item>
/// <item>fencing: every write of an operator replica (its lease identity is in its <c>User-Agent</c>) is made while
/// the lease names it as holder — so nothing from a replica after another took over;</item>
/// <item>no Succeeded or Failed function ever changes phase or result;</item>
/// <item>at the end: each function's phase, reason, attempts and result as its code and dependencies dictate, every
/// pod's <c>HANDOFF_ARGS</c> the results of its args then its extraArgs, every HandoffNode released.</item>
/// </list>
/// </summary>
public static class ChaosAuditor
{
    public static AuditReport Audit(IReadOnlyList<SandboxWrite> writes, AuditExpectations expect)
    {
        var replay = new JournalReplay(expect);
        foreach (var write in writes)
        {
            replay.Apply(write);
        }

        return replay.Finish(writes);
    }

    /// <summary>The lease identity in an operator's <c>User-Agent</c> (<c>handoff-operator/0.1.0 (op-a-1_1a2b3c4d) ...</c>); null for other clients.</summary>
    public static string? OperatorIdentity(string userAgent)
    {
        if (!userAgent.StartsWith(AuditExpectations.OperatorAgentPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var open = userAgent.IndexOf('(', StringComparison.Ordinal);
        var close = open < 0 ? -1 : userAgent.IndexOf(')', open);
        return close > open ? userAgent[(open + 1)..close] : userAgent;
    }
}
